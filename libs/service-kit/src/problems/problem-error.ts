import { STATUS_CODES } from 'node:http';

/** Problem `type` URIs are stable identifiers clients switch on; the slug is the part after this base. */
export const PROBLEM_TYPE_BASE = 'https://mxs.dev/problems/';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The slugs the kit itself produces; apps add their own (any kebab-case string). */
export type KitProblemSlug =
  | 'bad-request'
  | 'validation-failed'
  | 'malformed-json'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'method-not-allowed'
  | 'conflict'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'unprocessable'
  | 'rate-limited'
  | 'internal'
  | 'unavailable';

export interface ProblemInit {
  status: number;
  /** Kebab-case, stable: it becomes `type` = PROBLEM_TYPE_BASE + slug. */
  slug: KitProblemSlug | (string & {});
  title: string;
  detail?: string;
  /** Extension members (RFC 9457 §3.2), e.g. `errors` or `reason`; they never override the standard ones. */
  extra?: Record<string, unknown>;
  /** Response headers that belong to the problem, e.g. `WWW-Authenticate` or `Retry-After`. */
  headers?: Record<string, string>;
}

/** The RFC 9457 body the kit sends. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance: string;
  requestId?: string;
  [extension: string]: unknown;
}

/** Throw this (or register a mapping for your own error class) to answer with a problem. */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  readonly status: number;
  readonly slug: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly extra: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(init: ProblemInit, options?: { cause?: unknown }) {
    super(init.detail ?? init.title, options);
    this.status = init.status;
    this.slug = init.slug;
    this.title = init.title;
    this.detail = init.detail;
    this.extra = init.extra ?? {};
    this.headers = init.headers ?? {};
  }

  toInit(): ProblemInit {
    return {
      status: this.status,
      slug: this.slug,
      title: this.title,
      detail: this.detail,
      extra: { ...this.extra },
      headers: { ...this.headers },
    };
  }
}

const SLUG_BY_STATUS: Record<number, KitProblemSlug> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  422: 'unprocessable',
  429: 'rate-limited',
  503: 'unavailable',
};

/**
 * 503 for a dependency that is away (a database that cannot be reached): whether the request
 * took effect is not known, and the client should come back after `Retry-After` seconds.
 */
export function unavailableProblem(detail: string, retryAfterSeconds = 2): ProblemInit {
  return { status: 503, slug: 'unavailable', title: 'Service unavailable', detail, headers: { 'Retry-After': String(retryAfterSeconds) } };
}

/** A generic problem for a bare status code (Nest HttpExceptions, http-errors). */
export function problemForStatus(status: number, detail?: string): ProblemInit {
  const slug = SLUG_BY_STATUS[status] ?? (status >= 500 ? 'internal' : 'bad-request');
  return { status, slug, title: STATUS_CODES[status] ?? 'Error', detail };
}

export function problemType(slug: string): string {
  return PROBLEM_TYPE_BASE + slug;
}
