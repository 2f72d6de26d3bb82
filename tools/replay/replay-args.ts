import type { PolicyName, ReplayMode } from '@mxs/replay';
import { isPolicyName, POLICY_NAMES } from '@mxs/replay';
import type { FleetPresetName } from '@mxs/topology';
import { FLEET_PRESETS, isFleetPresetName } from '@mxs/topology';
import type { ReadOptions } from './cli-options';
import { integerOption, lastValue, nonNegativeNumberOption, readOptions, UsageError } from './cli-options';

export type FleetSource = { readonly kind: 'preset'; readonly preset: FleetPresetName } | { readonly kind: 'file'; readonly path: string };

/** What `npm run replay` was asked to do, every default filled in. */
export interface ReplayArgs {
  readonly tracePath: string;
  readonly fleet: FleetSource;
  /** At least one, in the order given, without repeats. */
  readonly policies: readonly PolicyName[];
  readonly mode: ReplayMode;
  readonly outDir: string;
  readonly pooling: boolean;
  /** Seeds the preset fleet and the stack's simulated hosts. */
  readonly seed: number;
  /** Stack mode: wall seconds per trace second (0.01 plays an hour in 36 s; 0 as fast as the stack goes). */
  readonly timeScale: number;
  readonly apis: number;
  readonly workers: number;
  /** Engine mode: series points per run; `undefined` lets the engine choose. */
  readonly samples: number | undefined;
}

export type ParsedReplayArgs = ReplayArgs | { readonly help: true } | { readonly error: string };

export const DEFAULT_OUT_DIR = 'tmp/replay';
export const DEFAULT_STACK_TIME_SCALE = 0.01;

export const REPLAY_USAGE = `usage: npm run replay -- --trace FILE [options]

Replays an mxs-trace/1 CSV against a fleet and writes a report (table on stdout, JSON and HTML
in --out). The last line printed is the path of the HTML report.

  --trace FILE            the trace to replay (npm run trace:gen writes one)
  --fleet PRESET|FILE     ${Object.keys(FLEET_PRESETS).join(', ')} or an mxs-fleet/1 JSON file (default small)
  --policy NAME[,NAME…]   ${POLICY_NAMES.join(', ')}; several compare them (default mxs)
  --mode engine|stack     engine: in-process on a simulated clock; stack: through the real
                          API, worker and host simulator (policy mxs only) (default engine)
  --out DIR               where the report files go (default ${DEFAULT_OUT_DIR})
  --pooling, --no-pooling the pooling study: direct-attached vs pools of 8 and 16 hosts
                          (default on in engine mode, off in stack mode)
  --seed N                seeds the preset fleet and the simulated hosts (default 1)
  --samples N             engine mode: points in the utilization series
  --time-scale X          stack mode: wall seconds per trace second, 0 for as fast as the
                          stack takes it (default ${DEFAULT_STACK_TIME_SCALE}: an hour of trace in 36 s)
  --apis N, --workers N   stack mode: API and worker replicas (default 1 each)
  --help                  this text
`;

const KNOWN = {
  '--trace': 'value',
  '--fleet': 'value',
  '--policy': 'value',
  '--mode': 'value',
  '--out': 'value',
  '--pooling': 'switch',
  '--no-pooling': 'switch',
  '--seed': 'value',
  '--samples': 'value',
  '--time-scale': 'value',
  '--apis': 'value',
  '--workers': 'value',
  '--help': 'switch',
  '-h': 'switch',
} as const;

const STACK_ONLY = ['--time-scale', '--apis', '--workers'] as const;

/** Reads the replay command line; pure, so every default and refusal is tested without a process. */
export function parseReplayArgs(argv: readonly string[]): ParsedReplayArgs {
  try {
    const options = readOptions(argv, KNOWN);
    if (options.switches.has('--help') || options.switches.has('-h')) return { help: true };
    return replayArgs(options);
  } catch (error) {
    if (error instanceof UsageError) return { error: error.message };
    throw error;
  }
}

function replayArgs(options: ReadOptions): ReplayArgs {
  const tracePath = lastValue(options, '--trace');
  if (tracePath === undefined || tracePath === '') throw new UsageError('--trace FILE is required: the mxs-trace/1 CSV to replay (npm run trace:gen writes one)');
  const modeText = lastValue(options, '--mode') ?? 'engine';
  if (modeText !== 'engine' && modeText !== 'stack') throw new UsageError(`--mode is engine or stack, got "${modeText}"`);
  const mode: ReplayMode = modeText;
  const policies = policyList(options.values.get('--policy') ?? ['mxs']);
  if (mode === 'stack' && policies.some((p) => p !== 'mxs')) {
    throw new UsageError(`stack mode replays through the real API, whose placement engine is the mxs policy; ${policies.filter((p) => p !== 'mxs').join(', ')} can only be replayed with --mode engine`);
  }
  if (options.switches.has('--pooling') && options.switches.has('--no-pooling')) throw new UsageError('give --pooling or --no-pooling, not both');
  if (mode === 'engine') {
    const stackOnly = STACK_ONLY.filter((name) => options.values.has(name));
    if (stackOnly.length > 0) throw new UsageError(`${stackOnly.join(', ')} only apply to --mode stack`);
  } else if (options.values.has('--samples')) {
    throw new UsageError('--samples only applies to --mode engine (stack mode samples the live fleet)');
  }
  const fleetText = lastValue(options, '--fleet') ?? 'small';
  if (fleetText === '') throw new UsageError('--fleet needs a preset name or a file');
  const outDir = lastValue(options, '--out') ?? DEFAULT_OUT_DIR;
  if (outDir === '') throw new UsageError('--out needs a directory');
  return {
    tracePath,
    fleet: isFleetPresetName(fleetText) ? { kind: 'preset', preset: fleetText } : { kind: 'file', path: fleetText },
    policies,
    mode,
    outDir,
    pooling: options.switches.has('--pooling') || (mode === 'engine' && !options.switches.has('--no-pooling')),
    seed: integerOption(options, '--seed', 1, 0),
    timeScale: nonNegativeNumberOption(options, '--time-scale') ?? DEFAULT_STACK_TIME_SCALE,
    apis: integerOption(options, '--apis', 1, 1),
    workers: integerOption(options, '--workers', 1, 1),
    samples: options.values.has('--samples') ? integerOption(options, '--samples', 0, 2) : undefined,
  };
}

/** `--policy a,b --policy c` → [a, b, c]; each name checked, repeats dropped. */
function policyList(given: readonly string[]): PolicyName[] {
  const names = given.flatMap((v) => v.split(',')).map((s) => s.trim());
  const policies: PolicyName[] = [];
  for (const name of names) {
    if (name === '') throw new UsageError('--policy has an empty name; give NAME or NAME,NAME');
    if (!isPolicyName(name)) throw new UsageError(`unknown policy "${name}"; known policies: ${POLICY_NAMES.join(', ')}`);
    if (!policies.includes(name)) policies.push(name);
  }
  return policies;
}
