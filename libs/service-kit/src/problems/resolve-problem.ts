import { HttpException } from '@nestjs/common';
import type { KitRequest } from '../http/http-types';
import { requestPath } from '../http/http-types';
import { allowedMethods, methodNotAllowedProblem } from './method-not-allowed';
import type { ProblemInit } from './problem-error';
import { ProblemError, problemForStatus } from './problem-error';
import { classifyProblem, findProblemMapper } from './problem-mappings';

export interface ResolvedProblem {
  init: ProblemInit;
  /** True when the error was not meant for the client: log it with its stack. */
  unexpected: boolean;
  /** True when a classifier recognised the error as a dependency's trouble (a 5xx that is not a bug): log its message. */
  classified?: boolean;
}

/** What a client sees for anything we did not anticipate: no message, no stack, no class name. */
export const INTERNAL_PROBLEM: ProblemInit = {
  status: 500,
  slug: 'internal',
  title: 'Internal server error',
  detail: 'An unexpected error occurred; quote the request id when reporting it.',
};

/** Turns anything thrown while serving `req` into the problem to send. */
export function resolveProblem(exception: unknown, req: KitRequest): ResolvedProblem {
  if (exception instanceof ProblemError) return expected(exception.toInit());
  if (typeof exception !== 'object' || exception === null) return { init: INTERNAL_PROBLEM, unexpected: true };

  const mapper = findProblemMapper(exception);
  if (mapper) {
    try {
      return expected(mapper(exception));
    } catch {
      // A mapper that throws is a bug in the app; the original error still gets logged.
      return { init: INTERNAL_PROBLEM, unexpected: true };
    }
  }
  if (exception instanceof HttpException) return fromHttpException(exception, req);
  const httpErrorStatus = clientErrorStatus(exception);
  if (httpErrorStatus !== undefined) {
    return expected(problemForStatus(httpErrorStatus, (exception as { message?: unknown }).message as string));
  }
  const classified = classifyProblem(exception);
  if (classified !== undefined) return { ...expected(classified), classified: true };
  return { init: INTERNAL_PROBLEM, unexpected: true };
}

function expected(init: ProblemInit): ResolvedProblem {
  return init.status >= 500 && init.slug === 'internal'
    ? { init: INTERNAL_PROBLEM, unexpected: true }
    : { init, unexpected: false };
}

function fromHttpException(exception: HttpException, req: KitRequest): ResolvedProblem {
  const status = exception.getStatus();
  if (status >= 500) return { init: INTERNAL_PROBLEM, unexpected: true };
  const path = requestPath(req);
  // Nest's own "no route" handler throws exactly this message; nothing else should.
  if (status === 404 && exception.message === `Cannot ${req.method} ${req.originalUrl ?? req.url}`) {
    const allow = allowedMethods(req.app, path);
    if (allow.length > 0) return expected(methodNotAllowedProblem(req.method ?? '', path, allow));
    return expected({ status: 404, slug: 'not-found', title: 'Not found', detail: `No route for ${req.method} ${path}` });
  }
  return expected(problemForStatus(status, httpExceptionDetail(exception)));
}

function httpExceptionDetail(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/** http-errors style errors (`status` 4xx, `expose` not false), e.g. from body parsers we did not wrap. */
function clientErrorStatus(error: object): number | undefined {
  const { status, statusCode, expose } = error as { status?: unknown; statusCode?: unknown; expose?: unknown };
  const code = typeof status === 'number' ? status : statusCode;
  if (typeof code !== 'number' || code < 400 || code > 499 || expose === false) return undefined;
  return code;
}
