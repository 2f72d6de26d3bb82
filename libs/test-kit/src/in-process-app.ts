import type { DynamicModule } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createHttpApp, setupOpenApi } from '@mxs/service-kit';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { DestinationStream } from 'pino';

export interface InProcessApp {
  readonly url: string;
  readonly app: NestExpressApplication;
  /** The JSON log lines the app wrote, for assertions on logs. */
  readonly logs: string[];
  close(): Promise<void>;
}

/**
 * A Nest app in this process on a free loopback port, built as its main.ts builds it (every
 * module, filter and guard as in production), with its logs captured for the test.
 */
export async function startInProcess(module: (logDestination: DestinationStream) => DynamicModule, title: string): Promise<InProcessApp> {
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter((line) => line.length > 0));
      done();
    },
  });
  const app = await createHttpApp(module(destination));
  setupOpenApi(app, { title, version: '1' });
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, app, logs, close: () => app.close() };
}
