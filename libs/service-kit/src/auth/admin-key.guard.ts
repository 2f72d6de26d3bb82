import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { KitConfig } from '../config/base-config';
import { SERVICE_CONFIG } from '../config/base-config';
import type { KitRequest } from '../http/http-types';
import { bearerToken, unauthorized } from './bearer';

/** Lets a request through only with `Authorization: Bearer <MXS_ADMIN_KEY>`. */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  private readonly adminKeyDigest: Buffer;

  constructor(@Inject(SERVICE_CONFIG) config: Pick<KitConfig, 'MXS_ADMIN_KEY'>) {
    this.adminKeyDigest = sha256(config.MXS_ADMIN_KEY);
  }

  canActivate(context: ExecutionContext): boolean {
    const token = bearerToken(context.switchToHttp().getRequest<KitRequest>());
    if (token === undefined) throw unauthorized('admin', 'Send the admin key as `Authorization: Bearer <key>`.');
    // Digests have equal lengths, so timingSafeEqual never leaks the key's length either.
    if (!timingSafeEqual(sha256(token), this.adminKeyDigest)) throw unauthorized('admin', 'The admin key is not valid.');
    return true;
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
