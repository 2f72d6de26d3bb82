import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Inject, Injectable } from '@nestjs/common';
import type { KitRequest } from '@mxs/service-kit';
import { HealthController, SERVICE_CONFIG, bearerToken, sharedSecretMatcher, unauthorized } from '@mxs/service-kit';
import type { SimConfig } from './config';

/** Refuses a request that does not carry the shared token: no tenant can reach a host agent. */
export function simTokenCheck(token: string): (req: KitRequest) => void {
  const isSimToken = sharedSecretMatcher(token);
  return (req) => {
    if (isSimToken(bearerToken(req))) return;
    // `code` as the host-agent clients read it, beside the problem's type.
    throw unauthorized('host-simulator', 'Send the simulator token as `Authorization: Bearer <token>`.', { code: 'unauthorized' });
  };
}

/** Every Nest route but /health needs the shared token (the agents' direct routes check it themselves). */
@Injectable()
export class SimTokenGuard implements CanActivate {
  private readonly check: (req: KitRequest) => void;

  constructor(@Inject(SERVICE_CONFIG) config: Pick<SimConfig, 'MXS_SIM_TOKEN'>) {
    this.check = simTokenCheck(config.MXS_SIM_TOKEN);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getClass() !== HealthController) this.check(context.switchToHttp().getRequest<KitRequest>());
    return true;
  }
}
