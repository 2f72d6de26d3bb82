import type { NestExpressApplication } from '@nestjs/platform-express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProblemInit } from '../problems/problem-error';
import { ProblemError, problemForStatus } from '../problems/problem-error';
import { headerValue } from './http-types';

/** JSON media types we parse: application/json and any `+json` suffix (merge-patch, problem…). */
export const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

type Next = (error?: unknown) => void;

/**
 * Parses JSON bodies and turns every parser failure into a 4xx problem. Nest's default parser
 * lets a 413 through as an unknown error and reports bad JSON with the parser's message only;
 * here each failure gets its own stable slug.
 */
export function useJsonBody(app: NestExpressApplication, limit: string): void {
  app.useBodyParser('json', { limit, type: JSON_MEDIA_TYPES });
  app.use((error: unknown, _req: IncomingMessage, _res: ServerResponse, next: Next) => {
    next(bodyError(error));
  });
}

/** What a body-parser failure is for the client: a 4xx problem with its own stable slug. */
export function bodyError(error: unknown): ProblemError {
  return new ProblemError(bodyProblem(error), { cause: error });
}

function bodyProblem(error: unknown): ProblemInit {
  const { type, status, limit } = (error ?? {}) as { type?: unknown; status?: unknown; limit?: unknown };
  switch (type) {
    case 'entity.parse.failed':
      return {
        status: 400,
        slug: 'malformed-json',
        title: 'Malformed JSON',
        detail: 'The request body is not valid JSON (an object or an array).',
      };
    case 'entity.too.large':
      return {
        status: 413,
        slug: 'payload-too-large',
        title: 'Payload too large',
        detail: `The request body is larger than the limit${typeof limit === 'number' ? ` of ${limit} bytes` : ''}.`,
      };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return {
        status: 415,
        slug: 'unsupported-media-type',
        title: 'Unsupported media type',
        detail: 'The body must be UTF-8 JSON without an unsupported content encoding.',
      };
    default:
      // Aborted or truncated requests and the like: the client's fault, never a 5xx.
      return problemForStatus(typeof status === 'number' && status >= 400 && status < 500 ? status : 400,
        'The request body could not be read.');
  }
}

/** True when the request carries a body (as body-parser decides it). */
export function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? '0') > 0;
}

/** True for application/json and application/<anything>+json, ignoring parameters. */
export function isJsonContentType(req: IncomingMessage): boolean {
  const mediaType = (headerValue(req, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(mediaType);
}

/** Refuses a body the JSON parser skips (its type is not JSON): it would reach a schema as `undefined`. */
export function refuseNonJsonBody(req: IncomingMessage): void {
  if (!hasBody(req) || isJsonContentType(req)) return;
  throw new ProblemError({
    status: 415,
    slug: 'unsupported-media-type',
    title: 'Unsupported media type',
    detail: 'Send the body as application/json.',
  });
}
