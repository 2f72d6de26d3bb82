import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Inject, Injectable } from '@nestjs/common';
import type { KitConfig } from '../config/base-config';
import { SERVICE_CONFIG } from '../config/base-config';
import type { KitRequest } from '../http/http-types';
import { bearerToken, unauthorized } from './bearer';
import { sharedSecretMatcher } from './shared-secret';

/** Lets a request through only with `Authorization: Bearer <MXS_ADMIN_KEY>`. */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  private readonly isAdminKey: (token: string | undefined) => boolean;

  constructor(@Inject(SERVICE_CONFIG) config: Pick<KitConfig, 'MXS_ADMIN_KEY'>) {
    this.isAdminKey = sharedSecretMatcher(config.MXS_ADMIN_KEY);
  }

  canActivate(context: ExecutionContext): boolean {
    const token = bearerToken(context.switchToHttp().getRequest<KitRequest>());
    if (token === undefined) throw unauthorized('admin', 'Send the admin key as `Authorization: Bearer <key>`.');
    if (!this.isAdminKey(token)) throw unauthorized('admin', 'The admin key is not valid.');
    return true;
  }
}
