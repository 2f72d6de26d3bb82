import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { QUEUES } from '@mxs/contracts';
import type { QueueSet } from '@mxs/messaging';
import { sharedSecretMatcher, bearerToken, sendProblem } from '@mxs/service-kit';
import type { KitRequest } from '@mxs/service-kit';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isValidSessionToken, QUEUES_PATH, sessionTokenIn } from './console-session';

/** Bull Board over every queue of the stack, for operators: jobs, retries, failures. */
export function queuesBoard(queues: QueueSet): RequestHandler {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(QUEUES_PATH);
  createBullBoard({
    queues: Object.values(QUEUES).map((name) => new BullMQAdapter(queues.get(name))),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'mxs queues' } },
  });
  return adapter.getRouter() as RequestHandler;
}

/**
 * The admin key as a header (scripts) or the console's session cookie (a browser that signed in
 * at /console). A browser without either is sent to sign in; anything else gets a 401 problem.
 */
export function queuesAuth(adminKey: string, now: () => number = Date.now): RequestHandler {
  const isAdminKey = sharedSecretMatcher(adminKey);
  return (req: Request, res: Response, next: NextFunction) => {
    if (isAdminKey(bearerToken(req)) || isValidSessionToken(adminKey, sessionTokenIn(req.headers.cookie), Math.floor(now() / 1000))) return next();
    if (req.method === 'GET' && /\btext\/html\b/.test(req.headers.accept ?? '')) {
      res.redirect(303, '/console/?signin=queues');
      return;
    }
    sendProblem(res, { status: 401, slug: 'unauthorized', title: 'Unauthorized', detail: 'sign in at /console (or send the admin key as a Bearer token) to see the queues', headers: { 'WWW-Authenticate': 'Bearer realm="admin"' } }, req as unknown as KitRequest);
  };
}
