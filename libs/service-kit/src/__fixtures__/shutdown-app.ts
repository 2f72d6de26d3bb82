// A service run as a child process by graceful-shutdown.spec.ts: it prints markers on stdout so
// the spec can see the order in which a SIGTERM drains requests and closes resources.
import type { OnModuleInit } from '@nestjs/common';
import { Controller, Get, Inject, Injectable, Module } from '@nestjs/common';
import { createHttpApp } from '../app/create-http-app';
import { ServiceKitModule } from '../app/service-kit.module';
import { baseConfigSchema } from '../config/base-config';
import { loadConfig } from '../config/load-config';
import { Closer } from '../shutdown/closer';
import { enableGracefulShutdown } from '../shutdown/graceful-shutdown';

const mark = (line: string): void => void process.stdout.write(`${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

@Controller('slow')
class SlowController {
  @Get()
  async slow(): Promise<object> {
    mark('request started');
    await sleep(300);
    mark('request finished');
    return { done: true };
  }
}

@Injectable()
class Resources implements OnModuleInit {
  constructor(@Inject(Closer) private readonly closer: Closer) {}

  onModuleInit(): void {
    this.closer.add('database', 'db', () => mark('closed database'));
    this.closer.add('workers', 'worker', async () => {
      await sleep(50);
      mark('closed worker');
    });
    this.closer.add('queues', 'queue', () => mark('closed queue'));
  }
}

@Module({})
class ShutdownAppModule {}

async function main(): Promise<void> {
  const config = loadConfig(baseConfigSchema, {
    MXS_ADMIN_KEY: 'shutdown-test-admin-key',
    LOG_LEVEL: 'silent',
    MXS_RATE_LIMIT_PER_MINUTE: '0',
  });
  const app = await createHttpApp({
    module: ShutdownAppModule,
    imports: [ServiceKitModule.forRoot({ config, defaultMetrics: false })],
    controllers: [SlowController],
    providers: [Resources],
  });
  enableGracefulShutdown(app, { timeoutMs: 5_000 });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  mark(`ready ${address.port}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
