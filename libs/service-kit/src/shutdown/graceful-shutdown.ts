import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';

export interface GracefulShutdownOptions {
  signals?: NodeJS.Signals[];
  /** Past this a stuck close exits the process with code 1: the orchestrator would kill it anyway. */
  timeoutMs?: number;
}

/**
 * On SIGTERM/SIGINT Nest stops the HTTP server, runs the shutdown hooks (the Closer among them)
 * and exits; this adds a log line per phase and a deadline.
 */
export function enableGracefulShutdown(app: INestApplication, options: GracefulShutdownOptions = {}): void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const timeoutMs = options.timeoutMs ?? 25_000;
  const logger = new Logger('Shutdown');
  app.enableShutdownHooks(signals);
  for (const signal of signals) {
    process.once(signal, () => {
      logger.log(`${signal} received: draining HTTP, then closing workers, queues, Redis and the database`);
      setTimeout(() => {
        logger.error(`shutdown still running after ${timeoutMs} ms; exiting`);
        process.exit(1);
      }, timeoutMs).unref();
    });
  }
}
