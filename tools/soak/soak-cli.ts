/** `npm run soak -- --minutes N [--seed S] [--apis N] [--workers N] [--fleet PRESET] [--vms N] [--fault-gap-sec S] [--out FILE]` */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatChecks } from './agreement';
import type { SoakArgs } from './soak-args';
import { parseSoakArgs, summaryJson } from './soak-args';
import { runSoak } from './soak-run';

async function main(argv: readonly string[]): Promise<number> {
  let args: SoakArgs;
  try {
    args = parseSoakArgs(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const started = Date.now();
  const log = (line: string): void => void process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}\n`);
  const report = await runSoak({ ...args.options, log });
  const out = args.out ?? `tmp/soak/soak-seed${report.seed}-${new Date(started).toISOString().replace(/[:.]/g, '-')}.json`;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  const faults = Object.entries(report.faults.injectedByKind).map(([k, n]) => `${k} ${n}`).join(', ');
  process.stdout.write(
    [
      '',
      `soak ${report.passed ? 'PASSED' : 'FAILED'}: ${report.minutes} min of load, ${report.wallSec} s in all, seed ${report.seed}, ${report.apis} APIs, ${report.workers} workers, fleet ${report.fleet.preset}`,
      `requests ${report.requests}, accepted ${report.accepted}, rejected ${report.rejected}`,
      `faults injected: ${faults}`,
      `what they did: ${Object.entries(report.history).map(([k, n]) => `${k} ${n}`).join(', ')}`,
      ...(report.forceReleased.length === 0 ? [] : [`force-released after the run (still degraded): ${report.forceReleased.length}`]),
      formatChecks(report.checks),
      `report: ${out}`,
      summaryJson(report),
      '',
    ].join('\n'),
  );
  return report.passed ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`soak failed to run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  },
);
