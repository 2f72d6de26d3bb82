/** bench:hotplug's command line (see hotplug.bench.ts). */
export interface HotplugArgs {
  readonly quick: boolean;
  readonly keep: boolean;
  readonly cpuProfile: boolean;
  /** One stage only, or both (null). */
  readonly only: 'throughput' | 'latency' | null;
  /** Expansions per latency burst; the overhead target is stated for the default. */
  readonly expansions: number;
  /** Latency bursts measured after the warm-up, their expansions pooled. */
  readonly bursts: number;
}

/** The latency stage's burst as the issue states its target: 200 expansions at once over 64 hosts. */
export const TARGET_EXPANSIONS = 200;

/** The targets: sagas per second at time scale 0, and the overhead p99 of a burst of TARGET_EXPANSIONS. */
export const TARGETS = { sagasPerSec: 300, overheadP99Ms: 50 } as const;

/** A run's figures as judged against TARGETS: null for a figure its stage did not measure (`--only`). */
export interface Verdicts {
  readonly targets: Partial<typeof TARGETS>;
  readonly meetsTargets: { readonly sagasPerSec: boolean | null; readonly overheadP99Ms?: boolean | null };
}

/**
 * Judges what was measured: a stage that did not run is neither met nor missed, and the
 * overhead target, stated for bursts of TARGET_EXPANSIONS, judges no other burst size.
 */
export function judge(figures: { readonly sagasPerSec: number | null; readonly overheadP99Ms: number | null }, expansions: number): Verdicts {
  const sagas = figures.sagasPerSec === null ? null : figures.sagasPerSec >= TARGETS.sagasPerSec;
  if (expansions !== TARGET_EXPANSIONS) return { targets: { sagasPerSec: TARGETS.sagasPerSec }, meetsTargets: { sagasPerSec: sagas } };
  const overhead = figures.overheadP99Ms === null ? null : figures.overheadP99Ms <= TARGETS.overheadP99Ms;
  return { targets: TARGETS, meetsTargets: { sagasPerSec: sagas, overheadP99Ms: overhead } };
}

/** The bench sizes its HTTP client to hold this many sockets at least: a larger burst would queue in the client, not go at once. */
export const MAX_EXPANSIONS = 256;

const USAGE = `use --quick, --keep, --cpu-prof, --only throughput|latency, --expansions N (1–${MAX_EXPANSIONS}) or --bursts N (1–20)`;

export function parseHotplugArgs(argv: readonly string[]): HotplugArgs {
  let quick = false;
  let keep = false;
  let cpuProfile = false;
  let only: HotplugArgs['only'] = null;
  let expansions = TARGET_EXPANSIONS;
  let bursts: number | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    // `npm run bench:hotplug -- --quick -- --only latency`, as README writes each option, passes the later `--` on.
    if (arg === '--') continue;
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new Error(`${arg} takes a value; ${USAGE}`);
      return next;
    };
    const count = (max: number): number => {
      const text = value();
      const n = Number(text);
      if (!/^[0-9]+$/.test(text) || n < 1 || n > max) throw new Error(`${arg} takes a whole number from 1 to ${max}, not "${text}"`);
      return n;
    };
    if (arg === '--quick') quick = true;
    else if (arg === '--keep') keep = true;
    else if (arg === '--cpu-prof') cpuProfile = true;
    else if (arg === '--only') {
      const stage = value();
      if (stage !== 'throughput' && stage !== 'latency') throw new Error(`--only takes throughput or latency, not "${stage}"`);
      only = stage;
    } else if (arg === '--expansions') expansions = count(MAX_EXPANSIONS);
    else if (arg === '--bursts') bursts = count(20);
    else throw new Error(`unknown argument "${arg}": ${USAGE}`);
  }
  if (only === 'throughput' && (expansions !== TARGET_EXPANSIONS || bursts !== null)) {
    throw new Error('--expansions and --bursts shape the latency stage, which --only throughput leaves out');
  }
  return { quick, keep, cpuProfile, only, expansions, bursts: bursts ?? (quick ? 1 : 3) };
}
