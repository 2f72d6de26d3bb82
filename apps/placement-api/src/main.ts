import 'reflect-metadata';
import { createHttpApp, enableGracefulShutdown, setupOpenApi } from '@mxs/service-kit';
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

main().catch((error: unknown) => {
  // Config errors list every bad variable; anything else is printed whole.
  process.stderr.write(`placement-api failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  if (error instanceof Error && 'problems' in error) process.stderr.write(`${(error as { problems: string[] }).problems.join('\n')}\n`);
  process.exit(1);
});
