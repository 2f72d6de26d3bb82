import type { OnApplicationShutdown } from '@nestjs/common';
import { Injectable, Logger } from '@nestjs/common';

/**
 * The order resources close in: workers first (they finish or hand back their jobs), then the
 * queues they fed, then Redis, then the database everything above may still be writing to.
 */
export const CLOSE_PHASES = ['workers', 'queues', 'redis', 'database'] as const;
export type ClosePhase = (typeof CLOSE_PHASES)[number];

export interface CloseOutcome {
  phase: ClosePhase;
  name: string;
  durationMs: number;
  error?: string;
}

interface Closable {
  phase: ClosePhase;
  name: string;
  close: () => Promise<void> | void;
}

/**
 * Closes what an app opened, one at a time, phase by phase; never all at once (a `Promise.all`
 * lets the database go while a worker still writes). Nest calls it after the HTTP server has
 * stopped (onApplicationShutdown); a failure is logged and the rest still close.
 */
@Injectable()
export class Closer implements OnApplicationShutdown {
  private readonly logger = new Logger(Closer.name);
  private readonly closables: Closable[] = [];
  private closing: Promise<CloseOutcome[]> | undefined;

  add(phase: ClosePhase, name: string, close: () => Promise<void> | void): void {
    if (this.closing) throw new Error(`Closer: "${name}" added after closing began`);
    this.closables.push({ phase, name, close });
  }

  /** Closes everything once; later calls return the same outcome. */
  close(): Promise<CloseOutcome[]> {
    this.closing ??= this.closeInOrder();
    return this.closing;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private async closeInOrder(): Promise<CloseOutcome[]> {
    const ordered = CLOSE_PHASES.flatMap((phase) => this.closables.filter((c) => c.phase === phase));
    const outcomes: CloseOutcome[] = [];
    for (const { phase, name, close } of ordered) {
      const startedAt = performance.now();
      let error: string | undefined;
      try {
        await close();
      } catch (cause) {
        error = cause instanceof Error ? cause.message : String(cause);
        this.logger.error(`closing ${name} failed: ${error}`);
      }
      const durationMs = Math.round(performance.now() - startedAt);
      outcomes.push({ phase, name, durationMs, ...(error === undefined ? {} : { error }) });
      if (error === undefined) this.logger.log(`closed ${name} (${phase}) in ${durationMs} ms`);
    }
    return outcomes;
  }
}
