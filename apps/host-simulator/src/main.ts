import 'reflect-metadata';
import { createHttpApp, enableGracefulShutdown, exitOnStartFailure } from '@mxs/service-kit';
import { AppModule } from './app.module';
import { loadSimConfig } from './config';

async function main(): Promise<void> {
  const config = loadSimConfig();
  // Whole states and region-sized fleets arrive as one JSON body.
  const app = await createHttpApp(AppModule.forRoot(config), { bodyLimit: '256mb' });
  enableGracefulShutdown(app);
  await app.listen(config.MXS_SIM_PORT, config.MXS_SIM_BIND);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : config.MXS_SIM_PORT;
  process.stdout.write(`host-simulator listening on http://${config.MXS_SIM_BIND}:${port}\n`);
}

main().catch(exitOnStartFailure('host-simulator'));
