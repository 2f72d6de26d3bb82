import { Controller, Delete, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiNoContentResponse } from '@nestjs/swagger';
import { AdminAuth } from '@mxs/service-kit';
import type { ApiConfig } from '../config';
import { API_CONFIG } from '../infra/infra.module';
import { clearedSessionCookie, sessionCookie, sessionToken } from './console-session';

interface CookieResponse {
  setHeader(name: string, value: string): void;
}

/** The console's sign-in and sign-out: the key stays in the tab; this cookie only opens Bull Board. */
@Controller('admin/v1/session')
export class SessionController {
  constructor(@Inject(API_CONFIG) private readonly config: ApiConfig) {}

  @Post()
  @AdminAuth()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The admin key is good; a session cookie for /admin/queues is set' })
  signIn(@Req() req: { secure: boolean }, @Res({ passthrough: true }) res: CookieResponse): void {
    res.setHeader('Set-Cookie', sessionCookie(sessionToken(this.config.MXS_ADMIN_KEY, Math.floor(Date.now() / 1000)), req.secure));
  }

  @Delete()
  @AdminAuth()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The session cookie is cleared' })
  signOut(@Req() req: { secure: boolean }, @Res({ passthrough: true }) res: CookieResponse): void {
    res.setHeader('Set-Cookie', clearedSessionCookie(req.secure));
  }
}
