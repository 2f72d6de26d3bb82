import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Inject, Injectable, createParamDecorator } from '@nestjs/common';
import type { AuthenticatedTenant, KitRequest } from '../http/http-types';
import { parseApiKey } from './api-key';
import { bearerToken, unauthorized } from './bearer';

/** The app's lookup of a tenant API key (by its prefix, then apiKeyMatches on the stored hash). */
export interface TenantKeyVerifier {
  verify(apiKey: string): Promise<AuthenticatedTenant | null>;
}

/** Provide this in the module of any controller guarded by TenantKeyGuard. */
export const TENANT_KEY_VERIFIER = Symbol('TENANT_KEY_VERIFIER');

/** Authenticates `Authorization: Bearer <tenant API key>` and puts the tenant on `req.tenant`. */
@Injectable()
export class TenantKeyGuard implements CanActivate {
  constructor(@Inject(TENANT_KEY_VERIFIER) private readonly verifier: TenantKeyVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<KitRequest>();
    const token = bearerToken(req);
    if (token === undefined) throw unauthorized('tenant', 'Send your API key as `Authorization: Bearer <key>`.');
    // A malformed key cannot match: answer without a database round trip.
    const tenant = parseApiKey(token) === null ? null : await this.verifier.verify(token);
    if (tenant === null) throw unauthorized('tenant', 'The API key is not valid.');
    req.tenant = tenant;
    return true;
  }
}

/** The tenant TenantKeyGuard authenticated for this request. */
export const CurrentTenant = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthenticatedTenant => {
  const tenant = ctx.switchToHttp().getRequest<KitRequest>().tenant;
  // Reaching here without a tenant is a wiring bug (route lacks TenantKeyGuard), not a client error.
  if (!tenant) throw new Error('CurrentTenant() used on a route without TenantKeyGuard');
  return tenant;
});
