import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import { Catch, Logger } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { KitRequest } from '../http/http-types';
import { requestPath } from '../http/http-types';
import type { ProblemDocument, ProblemInit } from './problem-error';
import { PROBLEM_CONTENT_TYPE, problemType } from './problem-error';
import { resolveProblem } from './resolve-problem';

/** Renders every error of an HTTP request as RFC 9457 problem+json. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    replyWithProblem(exception, http.getRequest<KitRequest>(), http.getResponse<ServerResponse>(), this.logger);
  }
}

/**
 * Answers `req` with the problem `exception` stands for (ProblemFilter, and routes served
 * outside Nest); one the client was not meant to see is logged with its stack.
 */
export function replyWithProblem(exception: unknown, req: KitRequest, res: ServerResponse, fallback: Pick<Logger, 'error' | 'warn'>): void {
  const { init, unexpected, classified } = resolveProblem(exception, req);
  if (unexpected) logUnexpected(exception, req, fallback);
  else if (classified === true) logClassified(exception, init, req, fallback);
  if (res.headersSent) {
    // Too late for a problem body; cut the connection so the client sees a failure, not a short 200.
    res.destroy();
    return;
  }
  sendProblem(res, init, req);
}

/** A dependency's trouble, not a bug: one line with what failed, no stack. */
function logClassified(exception: unknown, init: ProblemInit, req: KitRequest, fallback: Pick<Logger, 'warn'>): void {
  const cause = causeOf(exception);
  const line = `answered ${init.status} ${init.slug}: ${cause}`;
  if (typeof req.log?.warn === 'function') req.log.warn({ cause }, line);
  else fallback.warn(line);
}

/** An error's message and code; for Node's joined failures (empty message), each of theirs. */
function causeOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const own = [error.message, typeof code === 'string' && !error.message.includes(code) ? `(${code})` : ''].filter((part) => part !== '').join(' ');
  if (!(error instanceof AggregateError) || error.errors.length === 0) return own;
  return [own, ...error.errors.map(causeOf)].filter((part) => part !== '').join('; ');
}

function logUnexpected(exception: unknown, req: KitRequest, fallback: Pick<Logger, 'error'>): void {
  const err = exception instanceof Error ? exception : new Error(`non-Error thrown: ${String(exception)}`);
  // req.log (the access-log middleware's) carries the request id even outside Nest's request context.
  if (typeof req.log?.error === 'function') req.log.error({ err }, 'unhandled error');
  else fallback.error(err);
}

export function problemDocument(init: ProblemInit, req: KitRequest): ProblemDocument {
  return problemBody(init, { instance: requestPath(req), ...(typeof req.id === 'string' ? { requestId: req.id } : {}) });
}

/**
 * The RFC 9457 body for a problem met outside HTTP (a queue job answering as the API would):
 * `instance` names what failed, e.g. the job.
 */
export function problemBody(init: ProblemInit, at: { readonly instance: string; readonly requestId?: string }): ProblemDocument {
  return {
    ...init.extra,
    type: problemType(init.slug),
    title: init.title,
    status: init.status,
    ...(init.detail === undefined ? {} : { detail: init.detail }),
    instance: at.instance,
    ...(at.requestId === undefined ? {} : { requestId: at.requestId }),
  };
}

/** Writes the problem directly: it must work even when express's helpers never ran (body errors). */
export function sendProblem(res: ServerResponse, init: ProblemInit, req: KitRequest): void {
  res.statusCode = init.status;
  for (const [name, value] of Object.entries(init.headers ?? {})) res.setHeader(name, value);
  res.setHeader('Content-Type', PROBLEM_CONTENT_TYPE);
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify(problemDocument(init, req)));
}
