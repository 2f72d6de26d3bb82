import { Inject, Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { QueueSet } from '@mxs/messaging';
import type { Express } from 'express';
import type { ApiConfig } from '../config';
import { API_CONFIG } from '../infra/infra.module';
import { BILLING_PREFIX, billingForwarder } from './billing-forwarder';
import { QUEUES_PATH } from './console-session';
import { queuesAuth, queuesBoard } from './queues-board';
import { CONSOLE_PATH, staticConsole } from './static-console';

/**
 * What the console needs beside the admin API, on the same origin: its own files at /console,
 * Bull Board at /admin/queues behind the admin key, and billing's routes under /billing.
 * Mounted on express before Nest's not-found handler, which comes after the module hooks.
 */
@Injectable()
export class ConsoleRoutes implements OnModuleInit {
  constructor(
    private readonly host: HttpAdapterHost,
    private readonly queues: QueueSet,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  onModuleInit(): void {
    const app = this.host.httpAdapter.getInstance<Express>();
    app.use(QUEUES_PATH, queuesAuth(this.config.MXS_ADMIN_KEY), queuesBoard(this.queues));
    app.use(BILLING_PREFIX, billingForwarder(this.config.MXS_BILLING_URL));
    app.use(CONSOLE_PATH, ...staticConsole(this.config.MXS_CONSOLE_DIR));
  }
}
