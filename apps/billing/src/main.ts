import 'reflect-metadata';
import { createHttpApp, enableGracefulShutdown, setupOpenApi } from '@mxs/service-kit';
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

main().catch((error: unknown) => {
  process.stderr.write(`billing failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  if (error instanceof Error && 'problems' in error) process.stderr.write(`${(error as { problems: string[] }).problems.join('\n')}\n`);
  process.exit(1);
});
