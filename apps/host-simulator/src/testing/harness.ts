import type { INestApplication } from '@nestjs/common';
import { HttpHostAgent, SimulatorControl } from '@mxs/host-agent';
import { Writable } from 'node:stream';
import { loadSimConfig } from '../config';
import { createSimulatorApp } from '../simulator-app';
import { tinyFleet } from './tiny-fleet';

export const TEST_TOKEN = 'test-token-0123456789';

export interface SimHarness {
  readonly app: INestApplication;
  readonly baseUrl: string;
  readonly agent: HttpHostAgent;
  readonly control: SimulatorControl;
  close(): Promise<void>;
}

/** The simulator in this process on a free loopback port, with the tiny fleet loaded. */
export async function startSimulator(env: Record<string, string> = {}): Promise<SimHarness> {
  const config = loadSimConfig({ MXS_SIM_TOKEN: TEST_TOKEN, MXS_SIM_PORT: '0', MXS_SIM_TIME_SCALE: '0', LOG_LEVEL: 'silent', ...env });
  const quiet = new Writable({ write: (_chunk, _enc, done) => done() });
  const app = await createSimulatorApp(config, { logDestination: quiet });
  app.useLogger(false);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const agent = new HttpHostAgent({ baseUrl, token: TEST_TOKEN, timeoutMs: 5_000 });
  const control = new SimulatorControl({ baseUrl, token: TEST_TOKEN });
  await control.loadFleet(tinyFleet());
  return {
    app,
    baseUrl,
    agent,
    control,
    close: async () => {
      agent.close();
      control.close();
      await app.close();
    },
  };
}
