import 'reflect-metadata';
import { createHttpApp, enableGracefulShutdown, exitOnStartFailure, setupOpenApi } from '@mxs/service-kit';
import { AppModule } from './app.module';
import { loadApiConfig } from './config';

async function main(): Promise<void> {
  const config = loadApiConfig();
  const app = await createHttpApp(AppModule.forRoot(config));
  setupOpenApi(app, {
    title: 'mxs placement API',
    version: '1',
    description: 'Tenants ask for CXL memory for their VMs; operators run the fleet. Errors are RFC 9457 problem+json.',
  });
  enableGracefulShutdown(app);
  await app.listen(config.PORT);
}

main().catch(exitOnStartFailure('placement-api'));
