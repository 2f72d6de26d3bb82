import type { IncomingMessage } from 'node:http';
import { headerValue } from '../http/http-types';
import { ProblemError } from '../problems/problem-error';

/** The token of `Authorization: Bearer <token>`, or undefined when there is none. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = headerValue(req, 'authorization');
  const match = header === undefined ? null : /^Bearer +([^\s]+) *$/i.exec(header);
  return match?.[1];
}

export function unauthorized(realm: string, detail: string, extra?: Record<string, unknown>): ProblemError {
  return new ProblemError({
    status: 401,
    slug: 'unauthorized',
    title: 'Unauthorized',
    detail,
    headers: { 'WWW-Authenticate': `Bearer realm="${realm}"` },
    ...(extra === undefined ? {} : { extra }),
  });
}
