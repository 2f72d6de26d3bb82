import 'reflect-metadata';
import { createHttpApp, enableGracefulShutdown } from '@mxs/service-kit';
import { WorkerModule } from './app.module';
import { loadWorkerConfig } from './config';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  // An HTTP listener only for /health and /metrics: the work arrives on BullMQ.
  const app = await createHttpApp(WorkerModule.forRoot(config));
  enableGracefulShutdown(app);
  await app.listen(config.PORT, '127.0.0.1');
}

main().catch((error: unknown) => {
  process.stderr.write(`hotplug-worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  if (error instanceof Error && 'problems' in error) process.stderr.write(`${(error as { problems: string[] }).problems.join('\n')}\n`);
  process.exit(1);
});
