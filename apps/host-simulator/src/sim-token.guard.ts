import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Inject, Injectable } from '@nestjs/common';
import type { KitRequest } from '@mxs/service-kit';
import { HealthController, SERVICE_CONFIG, bearerToken } from '@mxs/service-kit';
import { ProblemError } from '@mxs/service-kit';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { SimConfig } from './config';

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Every route but /health needs the shared token: no tenant can reach a host agent. */
@Injectable()
export class SimTokenGuard implements CanActivate {
  private readonly tokenDigest: Buffer;

  constructor(@Inject(SERVICE_CONFIG) config: Pick<SimConfig, 'MXS_SIM_TOKEN'>) {
    this.tokenDigest = sha256(config.MXS_SIM_TOKEN);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getClass() === HealthController) return true;
    const token = bearerToken(context.switchToHttp().getRequest<KitRequest>());
    // Digests have equal lengths, so the comparison leaks neither the token nor its length.
    if (token !== undefined && timingSafeEqual(sha256(token), this.tokenDigest)) return true;
    throw new ProblemError({
      status: 401,
      slug: 'unauthorized',
      title: 'Unauthorized',
      detail: 'Send the simulator token as `Authorization: Bearer <token>`.',
      headers: { 'WWW-Authenticate': 'Bearer realm="host-simulator"' },
      extra: { code: 'unauthorized' },
    });
  }
}
