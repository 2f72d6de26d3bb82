import { Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { SimulatorControl, faultSchema, isHostAgentError } from '@mxs/host-agent';
import type { Fault } from '@mxs/host-agent';
import { AdminAuth, ApiZodResponse, ZodBody } from '@mxs/service-kit';
import { z } from 'zod';
import type { ApiConfig } from '../config';
import { ApiError } from '../errors';
import { API_CONFIG } from '../infra/infra.module';

/** The faults an operator may inject from the console: whole parts failing and coming back. */
const OPERATOR_FAULTS = ['device-fail', 'device-restore', 'link-down', 'link-up', 'host-crash', 'host-restart'] as const;
const operatorFaultBody = faultSchema
  .refine((f) => (OPERATOR_FAULTS as readonly string[]).includes(f.kind), { message: `kind must be one of ${OPERATOR_FAULTS.join(', ')}`, path: ['kind'] })
  .meta({ id: 'Fault', description: 'A simulated failure (or its repair) of a device, a switch link or a host' });
const faultResult = z.object({ seq: z.int().describe("The simulator's event number for it") }).meta({ id: 'FaultResult' });

/** Fault injection into the host simulator, for operators rehearsing failures (DESIGN §6). */
@Controller('admin/v1/faults')
@AdminAuth()
export class FaultsController {
  private readonly simulator: SimulatorControl | null;

  constructor(@Inject(API_CONFIG) private readonly config: ApiConfig) {
    const { MXS_SIMULATOR_URL: baseUrl, MXS_SIMULATOR_TOKEN: token } = config;
    this.simulator = baseUrl === undefined || token === undefined ? null : new SimulatorControl({ baseUrl, token });
  }

  @Post()
  @HttpCode(200)
  @ApiZodResponse(200, faultResult, 'Injected; the worker sees it through the hosts and telemetry')
  async inject(@ZodBody(operatorFaultBody) fault: Fault): Promise<{ seq: number }> {
    if (this.simulator === null) throw new ApiError('simulator-not-configured', 'this API has no MXS_SIMULATOR_URL and MXS_SIMULATOR_TOKEN; faults go to the host simulator');
    try {
      return { seq: await this.simulator.injectFault(fault) };
    } catch (error) {
      if (!isHostAgentError(error)) throw error;
      if (error.code === 'unreachable') throw new ApiError('simulator-unreachable', `the host simulator at ${this.config.MXS_SIMULATOR_URL ?? '?'} did not answer: ${error.message}`);
      throw new ApiError('fault-refused', error.message, { simulatorCode: error.code });
    }
  }
}
