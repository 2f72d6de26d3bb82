import type { PolicyName, PolicyRun, PoolingStudy, ReplayReport, Trace } from '@mxs/replay';
import { parseTrace, poolingStudy, REPORT_FORMAT, ReplayError, replayOnEngine, traceEndSec, TraceFormatError } from '@mxs/replay';
import type { FleetSpec } from '@mxs/topology';
import { generateFleetSpec, parseFleetJson, TopologyError } from '@mxs/topology';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { messageOf } from './cli-options';
import type { ProgressStream } from './progress';
import { ProgressBar } from './progress';
import type { ReplayArgs } from './replay-args';
import { parseReplayArgs, REPLAY_USAGE } from './replay-args';
import { renderReportHtml } from './report-html';
import { formatReportTable } from './report-table';
import { ReplayStackError } from './stack-error';

/** Where a replay writes and what time it is: the process's streams in the CLI, fakes in tests. */
export interface ReplayIo {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: ProgressStream;
  /** Milliseconds since the epoch: the report's date and the progress bar's clock. */
  readonly now: () => number;
}

export type ReplayOutcome =
  | { readonly exitCode: 0; readonly report: ReplayReport; readonly jsonPath: string; readonly htmlPath: string }
  | { readonly exitCode: 1 | 2; readonly error: string };

/** An input the replay cannot use: printed as one paragraph, exit code 2, no stack trace. */
class ReplayInputError extends Error {}

const MAX_PROBLEMS_SHOWN = 20;

/** The whole CLI: arguments in, exit code out (0 done, 2 bad input, 1 the stack gave up). */
export async function replayMain(argv: readonly string[], io: ReplayIo): Promise<number> {
  const parsed = parseReplayArgs(argv);
  if ('help' in parsed) {
    io.stdout.write(REPLAY_USAGE);
    return 0;
  }
  if ('error' in parsed) {
    io.stderr.write(`replay: ${parsed.error}. Run with --help for the options.\n`);
    return 2;
  }
  return (await runReplay(parsed, io)).exitCode;
}

/**
 * Replays the trace with each policy, runs the pooling study when asked, then prints the table
 * and writes `<out>/<trace>.report.json` and `.report.html`. The last line printed is the HTML
 * file's path, so a script can open it with `tail -n 1`.
 */
export async function runReplay(args: ReplayArgs, io: ReplayIo): Promise<ReplayOutcome> {
  try {
    const trace = await loadTrace(args.tracePath);
    const fleet = await loadFleetSpec(args);
    const progress = new ProgressBar(io.stderr, { nowMs: io.now });
    const runs: PolicyRun[] = [];
    for (const policy of args.policies) {
      // The stack takes a while to start before the first event; say so rather than sit silent.
      if (args.mode === 'stack') io.stderr.write(`starting the stack: a database, the host simulator, ${args.apis} API and ${args.workers} worker process(es)…\n`);
      const phase = progress.phase(`${policy} (${args.mode})`);
      runs.push(await replayOnce(trace, fleet, policy, args, { onProgress: phase.update, clock: io.now }));
      phase.finish();
    }
    let pooling: PoolingStudy | null = null;
    if (args.pooling) {
      const policy = args.policies[0] ?? 'mxs';
      const phase = progress.phase(`pooling study (${policy})`);
      pooling = poolingStudy(trace, fleet, { policy, onProgress: phase.update });
      phase.finish();
    }
    const report: ReplayReport = {
      format: REPORT_FORMAT,
      generatedAt: new Date(io.now()).toISOString(),
      trace: { source: args.tracePath, vms: trace.vms.length, expansions: trace.expansions.length, durationSec: traceEndSec(trace) },
      fleet: { name: fleet.name, hosts: fleet.hosts.length, devices: fleet.devices.length, capacityGiB: fleet.devices.reduce((sum, d) => sum + d.capacityGiB, 0) },
      runs,
      pooling,
    };
    const stem = basename(args.tracePath, extname(args.tracePath));
    const jsonPath = join(args.outDir, `${stem}.report.json`);
    const htmlPath = join(args.outDir, `${stem}.report.html`);
    await writeReport(args.outDir, jsonPath, htmlPath, report);
    io.stdout.write(`${formatReportTable(report)}\nreport written:\n${jsonPath}\n${htmlPath}\n`);
    return { exitCode: 0, report, jsonPath, htmlPath };
  } catch (error) {
    let exitCode: 1 | 2;
    let message: string;
    if (error instanceof ReplayInputError || error instanceof ReplayError) [exitCode, message] = [2, error.message];
    else if (error instanceof ReplayStackError) [exitCode, message] = [1, `the stack replay gave up (${error.code}): ${error.message}`];
    else throw error;
    // A bar left mid-line on a terminal would swallow the start of the message.
    io.stderr.write(`${io.stderr.isTTY === true ? '\n' : ''}replay: ${message}\n`);
    return { exitCode, error: message };
  }
}

interface RunHooks {
  readonly onProgress: (done: number, total: number) => void;
  /** Milliseconds: the run's `wallSec` is measured on it. */
  readonly clock: () => number;
}

async function replayOnce(trace: Trace, fleet: FleetSpec, policy: PolicyName, args: ReplayArgs, { onProgress, clock }: RunHooks): Promise<PolicyRun> {
  if (args.mode === 'engine') return replayOnEngine(trace, fleet, { policy, samples: args.samples, onProgress, clock });
  // Loaded only here, so an engine replay never loads the stack's apps, database or queues.
  const { runStackReplay } = await import('./stack-replay.js');
  return runStackReplay(trace, fleet, { timeScale: args.timeScale, apis: args.apis, workers: args.workers, seed: args.seed, onProgress });
}

async function loadTrace(path: string): Promise<Trace> {
  const text = await readInput(path, 'trace');
  try {
    return parseTrace(text);
  } catch (error) {
    if (!(error instanceof TraceFormatError)) throw error;
    throw new ReplayInputError(`"${path}" is not a valid mxs-trace/1 trace (the format is in libs/replay/README.md), ${problemList(error.problems)}`);
  }
}

async function loadFleetSpec(args: ReplayArgs): Promise<FleetSpec> {
  if (args.fleet.kind === 'preset') return generateFleetSpec({ preset: args.fleet.preset, seed: args.seed, vmsPerHost: 0 });
  const { path } = args.fleet;
  const text = await readInput(path, 'fleet');
  try {
    return parseFleetJson(text);
  } catch (error) {
    if (!(error instanceof TopologyError)) throw error;
    const what = error.details.length > 0 ? problemList(error.details) : error.message;
    throw new ReplayInputError(`"${path}" is neither a fleet preset nor a valid mxs-fleet/1 file (the format is in libs/topology/README.md), ${what}`);
  }
}

async function readInput(path: string, what: 'trace' | 'fleet'): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new ReplayInputError(`cannot read the ${what} file "${path}": ${messageOf(error)}`);
  }
}

async function writeReport(outDir: string, jsonPath: string, htmlPath: string, report: ReplayReport): Promise<void> {
  try {
    await mkdir(outDir, { recursive: true });
    await writeFile(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(htmlPath, renderReportHtml(report));
  } catch (error) {
    throw new ReplayInputError(`cannot write the report into "${outDir}": ${messageOf(error)}`);
  }
}

/** The problems one to a line under their count, the first 20 of them. */
function problemList(problems: readonly string[]): string {
  const shown = problems.slice(0, MAX_PROBLEMS_SHOWN).map((p) => `\n  ${p}`).join('');
  const more = problems.length > MAX_PROBLEMS_SHOWN ? `\n  … and ${problems.length - MAX_PROBLEMS_SHOWN} more` : '';
  return `${problems.length} problem${problems.length === 1 ? '' : 's'}:${shown}${more}`;
}
