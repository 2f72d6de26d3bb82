import { sendProblem } from '@mxs/service-kit';
import type { KitRequest } from '@mxs/service-kit';
import type { Request, RequestHandler, Response } from 'express';
import { ApiError } from '../errors';

export const BILLING_PREFIX = '/billing';
/** What a client says that billing needs to hear; everything else stays here. */
const FORWARDED_REQUEST_HEADERS = ['authorization', 'accept', 'content-type', 'idempotency-key'];
const FORWARDED_RESPONSE_HEADERS = ['content-type', 'content-disposition', 'cache-control', 'www-authenticate', 'retry-after'];
const TIMEOUT_MS = 30_000;

/**
 * `/billing/<path>` → the billing service's `/<path>`, as is: billing checks the key and answers.
 * The console thus reaches invoices and SLA on its own origin, and billing stays a service of its own.
 */
export function billingForwarder(billingUrl: string | undefined): RequestHandler {
  return (req: Request, res: Response) => {
    void forward(billingUrl, req, res).catch((error: unknown) => {
      const problem = error instanceof ApiError ? error : new ApiError('billing-unreachable', `billing at ${billingUrl ?? '?'} did not answer: ${(error as Error).message}`);
      if (!res.headersSent) sendProblem(res, problem.toInit(), req as unknown as KitRequest);
      else res.end();
    });
  };
}

async function forward(billingUrl: string | undefined, req: Request, res: Response): Promise<void> {
  if (billingUrl === undefined) throw new ApiError('billing-not-configured', 'this API has no MXS_BILLING_URL; invoices and SLA reports live in the billing service');
  const headers = new Headers();
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string') headers.set(name, value);
  }
  if (typeof req.id === 'string') headers.set('x-request-id', req.id);
  // The API's JSON parser has read the body already; send what it parsed.
  const hasBody = !['GET', 'HEAD'].includes(req.method) && req.body !== undefined;
  const answer = await fetch(new URL(req.originalUrl.slice(BILLING_PREFIX.length) || '/', billingUrl), {
    method: req.method,
    headers,
    ...(hasBody ? { body: JSON.stringify(req.body) } : {}),
    signal: AbortSignal.timeout(TIMEOUT_MS),
    redirect: 'manual',
  });
  const body = Buffer.from(await answer.arrayBuffer());
  res.status(answer.status);
  for (const name of FORWARDED_RESPONSE_HEADERS) {
    const value = answer.headers.get(name);
    if (value !== null) res.setHeader(name, value);
  }
  res.end(body);
}
