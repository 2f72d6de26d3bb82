import type { ProblemDetails } from './types';

/** An error answer of the API (RFC 9457), or a request that never got one (status 0). */
export class ApiProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly type: string;
  readonly errors: { path: string; message: string }[];

  constructor(status: number, problem: ProblemDetails) {
    const detail = problem.detail ?? problem.title ?? `The API answered ${status}`;
    super(detail);
    this.name = 'ApiProblem';
    this.status = status;
    this.title = problem.title ?? '';
    this.detail = detail;
    this.type = problem.type ?? 'about:blank';
    this.errors = problem.errors ?? [];
  }
}

/** What an operator should read about a failure: the problem's detail, or the error's message. */
export function describeFailure(error: unknown): string {
  if (error instanceof ApiProblem) {
    const fields = error.errors.map((e) => `${e.path}: ${e.message}`);
    return fields.length > 0 ? `${error.detail} (${fields.join('; ')})` : error.detail;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
