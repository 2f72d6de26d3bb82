import 'reflect-metadata';
import { enableGracefulShutdown, exitOnStartFailure } from '@mxs/service-kit';
import { loadSimConfig } from './config';
import { createSimulatorApp } from './simulator-app';

async function main(): Promise<void> {
  const config = loadSimConfig();
  const app = await createSimulatorApp(config);
  enableGracefulShutdown(app);
  await app.listen(config.MXS_SIM_PORT, config.MXS_SIM_BIND);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : config.MXS_SIM_PORT;
  process.stdout.write(`host-simulator listening on http://${config.MXS_SIM_BIND}:${port}\n`);
}

main().catch(exitOnStartFailure('host-simulator'));
