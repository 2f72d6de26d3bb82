import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (ENOENT…). */
  readonly error?: Error;
}

export interface ManagedProcessOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Each output line as it arrives (to print it); the last ones are also kept for error reports. */
  readonly onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  readonly keepLines?: number;
}

/** Every ManagedProcess still running, so an exiting `npm start` can leave none behind. */
const live = new Set<ManagedProcess>();

/** Sends `signal` to every managed process still running (synchronous: usable in an 'exit' handler). */
export function signalAll(signal: NodeJS.Signals): void {
  for (const child of live) child.signal(signal);
}

/**
 * A child in a process group of its own, so a terminal's Ctrl-C reaches only `npm start`, which
 * then stops its children in order instead of all at once.
 */
export class ManagedProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  private exit: Exit | null = null;
  private readonly recent: string[] = [];

  constructor(readonly options: ManagedProcessOptions) {
    this.child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(this);
    this.exited = new Promise<Exit>((resolve) => {
      const settle = (exit: Exit): void => {
        if (this.exit !== null) return;
        this.exit = exit;
        live.delete(this);
        resolve(exit);
      };
      this.child.once('error', (error) => settle({ code: null, signal: null, error }));
      this.child.once('exit', (code, signal) => settle({ code, signal }));
    });
    this.follow(this.child.stdout, 'stdout');
    this.follow(this.child.stderr, 'stderr');
  }

  get name(): string {
    return this.options.name;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === null;
  }

  get exitStatus(): Exit | null {
    return this.exit;
  }

  /** The last lines it printed, oldest first. */
  recentLines(): string[] {
    return [...this.recent];
  }

  /** Signals the whole process group (grandchildren included); a no-op once it has exited. */
  signal(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined || !this.running) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone between our look and the kill.
    }
  }

  /** SIGTERM, then SIGKILL when it has not exited after `graceMs`. */
  async stop(graceMs = 10_000): Promise<'exited' | 'killed'> {
    if (!this.running) return 'exited';
    this.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const outcome = await Promise.race([this.exited.then(() => 'exited' as const), timedOut]);
    clearTimeout(timer);
    if (outcome === 'exited') return 'exited';
    this.signal('SIGKILL');
    await this.exited;
    return 'killed';
  }

  private follow(stream: NodeJS.ReadableStream | null, name: 'stdout' | 'stderr'): void {
    if (stream === null) return;
    const keep = this.options.keepLines ?? 40;
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      this.recent.push(line);
      if (this.recent.length > keep) this.recent.shift();
      this.options.onLine?.(line, name);
    });
  }
}

export interface CommandResult {
  readonly code: number | null;
  readonly output: string;
}

/**
 * Runs a command to completion and returns its exit code and output. It resolves on exit, not
 * on the pipes closing: `pg_ctl start` leaves a server behind that may hold them open.
 */
export function runCommand(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    const chunks: string[] = [];
    const child = spawn(command, [...args], { cwd: options.cwd, env: options.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    const timer = setTimeout(() => {
      chunks.push(`\n(timed out after ${options.timeoutMs} ms)`);
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 120_000);
    let finished = false;
    const finish = (code: number | null): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      // Let the output already written reach us, then stop listening to a pipe a daemon may keep.
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({ code, output: chunks.join('').trim() });
      }, 50);
    };
    child.once('error', (error) => {
      chunks.push(error.message);
      finish(null);
    });
    child.once('exit', (code) => finish(code));
  });
}

/** "exit code 1", "signal SIGKILL", or why it never started. */
export function describeExit(process: ManagedProcess): string {
  const exit = process.exitStatus;
  if (exit === null) return 'running';
  if (exit.error !== undefined) return exit.error.message;
  return exit.signal === null ? `exit code ${exit.code}` : `signal ${exit.signal}`;
}
