import { isFleetPresetName } from '@mxs/topology';
import type { FleetPresetName } from '@mxs/topology';
import { SoakError } from './soak-error';
import type { SoakOptions, SoakReport } from './soak-run';

export const USAGE = 'usage: npm run soak -- --minutes N [--seed S] [--apis 1|2] [--workers 1|2] [--fleet small|rack64|region] [--vms N] [--fault-gap-sec S] [--out FILE]';

export interface SoakArgs {
  readonly options: Omit<SoakOptions, 'log'>;
  readonly out: string | null;
}

/** Parses the command line; throws a SoakError (`invalid-arguments`) that says what is wrong. */
export function parseSoakArgs(argv: readonly string[]): SoakArgs {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i] ?? '';
    const value = argv[i + 1];
    if (!name.startsWith('--') || value === undefined) throw new SoakError('invalid-arguments', `expected --name value pairs, got "${name}"\n${USAGE}`);
    values.set(name.slice(2), value);
    i++;
  }
  const known = ['minutes', 'seed', 'apis', 'workers', 'fleet', 'vms', 'fault-gap-sec', 'out'];
  const unknown = [...values.keys()].filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new SoakError('invalid-arguments', `unknown options: ${unknown.map((k) => `--${k}`).join(', ')}\n${USAGE}`);
  const number = (name: string, fallback: number | undefined, min: number, max: number): number => {
    const text = values.get(name);
    if (text === undefined) {
      if (fallback === undefined) throw new SoakError('invalid-arguments', `--${name} is required\n${USAGE}`);
      return fallback;
    }
    const n = Number(text);
    if (!Number.isFinite(n) || n < min || n > max) throw new SoakError('invalid-arguments', `--${name} must be a number in ${min}..${max}, got "${text}"`);
    return n;
  };
  const whole = (name: string, fallback: number, min: number, max: number): number => {
    const n = number(name, fallback, min, max);
    if (!Number.isInteger(n)) throw new SoakError('invalid-arguments', `--${name} must be a whole number, got ${n}`);
    return n;
  };
  const fleet = values.get('fleet') ?? 'small';
  if (!isFleetPresetName(fleet)) throw new SoakError('invalid-arguments', `--fleet must be small, rack64 or region, got "${fleet}"`);
  const vms = values.get('vms') === undefined ? undefined : whole('vms', 0, 1, 1_000_000);
  return {
    options: {
      minutes: number('minutes', undefined, 0.1, 24 * 60),
      seed: whole('seed', 1, 0, 2 ** 31 - 1),
      apis: whole('apis', 2, 1, 8),
      workers: whole('workers', 2, 1, 8),
      fleet: fleet as FleetPresetName,
      ...(vms === undefined ? {} : { vms }),
      meanFaultGapMs: number('fault-gap-sec', 20, 1, 3_600) * 1000,
    },
    out: values.get('out') ?? null,
  };
}

/** The last line: one JSON object with the figures and every check. */
export function summaryJson(report: SoakReport): string {
  return JSON.stringify({
    minutes: report.minutes,
    wallSec: report.wallSec,
    seed: report.seed,
    requests: report.requests,
    accepted: report.accepted,
    rejected: report.rejected,
    faults: report.faults.injectedByKind,
    history: report.history,
    checks: report.checks.map((c) => ({ name: c.name, passed: c.passed, checked: c.checked, failures: c.failures.length })),
    passed: report.passed,
  });
}
