import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Inject, Injectable } from '@nestjs/common';
import type { KitRequest } from '@mxs/service-kit';
import { HealthController, SERVICE_CONFIG, bearerToken, sharedSecretMatcher, unauthorized } from '@mxs/service-kit';
import type { SimConfig } from './config';

/** Every route but /health needs the shared token: no tenant can reach a host agent. */
@Injectable()
export class SimTokenGuard implements CanActivate {
  private readonly isSimToken: (token: string | undefined) => boolean;

  constructor(@Inject(SERVICE_CONFIG) config: Pick<SimConfig, 'MXS_SIM_TOKEN'>) {
    this.isSimToken = sharedSecretMatcher(config.MXS_SIM_TOKEN);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getClass() === HealthController) return true;
    const token = bearerToken(context.switchToHttp().getRequest<KitRequest>());
    if (this.isSimToken(token)) return true;
    // `code` as the host-agent clients read it, beside the problem's type.
    throw unauthorized('host-simulator', 'Send the simulator token as `Authorization: Bearer <token>`.', { code: 'unauthorized' });
  }
}
