/**
 * Runs `bench:*` scripts one at a time (each measures the machine, so two at once would spoil
 * both), streams their output, and keeps each one's last JSON line. The scripts and the way a
 * script is run are parameters: `npm run` in the workspace, or anything a test gives it.
 */
import { spawn } from 'node:child_process';
import type { BenchJson } from './figures';

export type BenchSuiteErrorCode = 'unknown-bench' | 'no-benches' | 'bad-arguments';

export class BenchSuiteError extends Error {
  override readonly name = 'BenchSuiteError';

  constructor(
    readonly code: BenchSuiteErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface BenchScript {
  /** The script's name, `bench:api`. */
  readonly name: string;
  /** Its command line, as package.json has it (shown in the header). */
  readonly command: string;
}

export interface BenchRun {
  readonly name: string;
  /** The exit code; a bench killed by a signal counts as 1. */
  readonly exitCode: number;
  readonly durationSec: number;
  /** Its last JSON object line on stdout, or null when it printed none. */
  readonly json: BenchJson | null;
}

/** Where a running bench's output goes as it comes. */
export interface BenchOutput {
  stdout(chunk: string): void;
  stderr(chunk: string): void;
}

/** Runs one script to its end; resolves with its exit code and everything it wrote to stdout. */
export type CommandRunner = (script: BenchScript, output: BenchOutput) => Promise<{ exitCode: number; stdout: string }>;

/** The `bench:*` scripts of a package.json, in its order; `only` picks some (with or without `bench:`). */
export function benchScripts(pkg: { readonly scripts?: Readonly<Record<string, string>> }, only?: readonly string[]): BenchScript[] {
  const all = Object.entries(pkg.scripts ?? {})
    .filter(([name]) => name.startsWith('bench:'))
    .map(([name, command]) => ({ name, command }));
  if (all.length === 0) throw new BenchSuiteError('no-benches', 'package.json has no bench:* scripts');
  if (only === undefined) return all;
  const wanted = only.map((n) => (n.startsWith('bench:') ? n : `bench:${n}`));
  const unknown = wanted.filter((n) => !all.some((s) => s.name === n));
  if (unknown.length > 0) throw new BenchSuiteError('unknown-bench', `no such bench: ${unknown.join(', ')} (there are ${all.map((s) => s.name).join(', ')})`);
  return all.filter((s) => wanted.includes(s.name));
}

/** The last line of `stdout` that is a JSON object, or null. */
export function lastJsonLine(stdout: string): BenchJson | null {
  const lines = stdout.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = (lines[i] ?? '').trim();
    if (!line.startsWith('{') || !line.endsWith('}')) continue;
    try {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as BenchJson;
    } catch {
      // A line that only looks like JSON: keep looking further up.
    }
  }
  return null;
}

export interface RunBenchesOptions {
  readonly output: BenchOutput;
  /** A monotonic clock in ms, for each bench's duration. */
  readonly nowMs?: () => number;
  /** Asked before each bench: false stops the suite (Ctrl-C) with what has run so far. */
  readonly keepGoing?: () => boolean;
}

/** Runs each script in turn, under a header line; a failing one is recorded and the next runs. */
export async function runBenches(scripts: readonly BenchScript[], runner: CommandRunner, options: RunBenchesOptions): Promise<BenchRun[]> {
  const now = options.nowMs ?? (() => performance.now());
  const runs: BenchRun[] = [];
  for (const [i, script] of scripts.entries()) {
    if (options.keepGoing?.() === false) break;
    options.output.stdout(`\n=== ${script.name} (${i + 1} of ${scripts.length}): ${script.command}\n`);
    const startedMs = now();
    let result: { exitCode: number; stdout: string };
    try {
      result = await runner(script, options.output);
    } catch (error) {
      // The runner itself failed (the command could not start): a failed bench, not a failed suite.
      options.output.stderr(`${script.name} could not run: ${error instanceof Error ? error.message : String(error)}\n`);
      result = { exitCode: 1, stdout: '' };
    }
    const durationSec = Math.round(now() - startedMs) / 1000;
    runs.push({ name: script.name, exitCode: result.exitCode, durationSec, json: lastJsonLine(result.stdout) });
  }
  return runs;
}

/** Why a run gives no figures, or null when it does. */
export function runFailure(run: BenchRun): string | null {
  if (run.exitCode !== 0) return `exit code ${run.exitCode}`;
  if (run.json === null) return 'printed no JSON line';
  return null;
}

export interface NpmRunnerOptions {
  /** Passed to every script after `--` (`--quick`). */
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Aborted: the running script gets SIGTERM (a terminal's Ctrl-C reaches it by itself). */
  readonly stop?: AbortSignal;
}

/**
 * `npm run <script> [-- args]` in `cwd`: its stdout streamed to the output and kept, its stderr
 * streamed. npm's own header lines are not JSON, so they never pass for the bench's figures.
 */
export function npmRunner(cwd: string, options: NpmRunnerOptions = {}): CommandRunner {
  const args = options.args ?? [];
  return (script, output) =>
    new Promise((resolve, reject) => {
      const child = spawn('npm', ['run', script.name, ...(args.length > 0 ? ['--', ...args] : [])], { cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
      const terminate = (): void => void child.kill('SIGTERM');
      options.stop?.addEventListener('abort', terminate, { once: true });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        output.stdout(chunk);
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => output.stderr(chunk));
      child.once('error', (error) => {
        options.stop?.removeEventListener('abort', terminate);
        reject(error);
      });
      child.once('close', (code) => {
        options.stop?.removeEventListener('abort', terminate);
        resolve({ exitCode: code ?? 1, stdout });
      });
    });
}
