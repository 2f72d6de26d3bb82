import 'reflect-metadata';
import { createHttpApp, enableGracefulShutdown, exitOnStartFailure, setupOpenApi } from '@mxs/service-kit';
import { AppModule } from './app.module';
import { loadBillingConfig } from './config';

async function main(): Promise<void> {
  const config = loadBillingConfig();
  const app = await createHttpApp(AppModule.forRoot(config));
  setupOpenApi(app, {
    title: 'mxs billing API',
    version: '1',
    description: 'Metered CXL memory: usage, invoices, SLA reports; plans for operators. Errors are RFC 9457 problem+json.',
  });
  enableGracefulShutdown(app);
  await app.listen(config.PORT);
}

main().catch(exitOnStartFailure('billing'));
