import type { NestExpressApplication } from '@nestjs/platform-express';
import { createHttpApp, serveDirectRoutes } from '@mxs/service-kit';
import type { DestinationStream } from 'pino';
import { agentRoutes } from './agent-routes';
import { AppModule } from './app.module';
import type { SimConfig } from './config';
import { simTokenCheck } from './sim-token.guard';
import { SimulatorService } from './simulator.service';

/** The simulator's HTTP app: Nest for control (`/sim`), health and metrics; the agents' routes served directly. */
export async function createSimulatorApp(config: SimConfig, options: { logDestination?: DestinationStream } = {}): Promise<NestExpressApplication> {
  // Whole states and region-sized fleets arrive as one JSON body.
  const app = await createHttpApp(AppModule.forRoot(config, options), { bodyLimit: '256mb' });
  serveDirectRoutes(app, agentRoutes(app.get(SimulatorService)), { authorize: simTokenCheck(config.MXS_SIM_TOKEN) });
  return app;
}
