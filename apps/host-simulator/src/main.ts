import 'reflect-metadata';
import { createHttpApp, enableGracefulShutdown } from '@mxs/service-kit';
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

main().catch((error: unknown) => {
  // Config errors list every bad variable; anything else is printed whole.
  process.stderr.write(`host-simulator failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  if (error instanceof Error && 'problems' in error) process.stderr.write(`${(error as { problems: string[] }).problems.join('\n')}\n`);
  process.exit(1);
});
