import { UseGuards, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { AdminKeyGuard } from './admin-key.guard';
import { TenantKeyGuard } from './tenant-key.guard';

/** The security scheme names setupOpenApi declares. */
export const TENANT_KEY_SCHEME = 'tenantKey';
export const ADMIN_KEY_SCHEME = 'adminKey';

/** Guard and document a controller or route for tenant API keys. */
export function TenantAuth(): ClassDecorator & MethodDecorator {
  return applyDecorators(UseGuards(TenantKeyGuard), ApiBearerAuth(TENANT_KEY_SCHEME));
}

/** Guard and document a controller or route for the admin key. */
export function AdminAuth(): ClassDecorator & MethodDecorator {
  return applyDecorators(UseGuards(AdminKeyGuard), ApiBearerAuth(ADMIN_KEY_SCHEME));
}
