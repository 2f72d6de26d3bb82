import 'reflect-metadata';
import { createHttpApp, enableGracefulShutdown, exitOnStartFailure } from '@mxs/service-kit';
import { WorkerModule } from './app.module';
import { loadWorkerConfig } from './config';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  // An HTTP listener only for /health and /metrics: the work arrives on BullMQ.
  const app = await createHttpApp(WorkerModule.forRoot(config));
  enableGracefulShutdown(app);
  await app.listen(config.PORT, config.MXS_WORKER_BIND);
}

main().catch(exitOnStartFailure('hotplug-worker'));
