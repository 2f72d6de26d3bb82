import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { HealthModule, ServiceKitModule } from '@mxs/service-kit';
import type { DestinationStream } from 'pino';
import type { SimConfig } from './config';
import { registerSimulatorProblems } from './errors';
import { SimController } from './sim.controller';
import { SimTokenGuard } from './sim-token.guard';
import { SimulatorService } from './simulator.service';

@Module({})
export class AppModule {
  static forRoot(config: SimConfig, options: { logDestination?: DestinationStream } = {}): DynamicModule {
    registerSimulatorProblems();
    return {
      module: AppModule,
      imports: [
        // Its handlers log nothing of their own, and a request context would tax every call a saga makes.
        ServiceKitModule.forRoot({ config, requestContext: false, ...(options.logDestination === undefined ? {} : { logDestination: options.logDestination }) }),
        // The simulator depends on nothing: it is up when it answers.
        HealthModule.forRoot([]),
      ],
      // The agents' routes (/hosts, /fabric) are served directly: see createSimulatorApp.
      controllers: [SimController],
      providers: [SimulatorService, { provide: APP_GUARD, useClass: SimTokenGuard }],
    };
  }
}
