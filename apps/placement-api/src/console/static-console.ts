import { sendProblem } from '@mxs/service-kit';
import type { KitRequest } from '@mxs/service-kit';
import express from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { join } from 'node:path';
import { ApiError } from '../errors';

export const CONSOLE_PATH = '/console';

/**
 * The built console: its files (hashed assets cached for long), and index.html for every other
 * GET under /console, so a reload on /console/devices/d-1 opens that page.
 */
export function staticConsole(dir: string): RequestHandler[] {
  const index = join(dir, 'index.html');
  const files = express.static(dir, {
    index: false,
    fallthrough: true,
    setHeaders: (res, path) => res.setHeader('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
  const page = (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index, (error?: Error & { code?: string }) => {
      if (error === undefined) return;
      if (error.code !== 'ENOENT' || res.headersSent) return next(error);
      const problem = new ApiError('console-not-built', `the console is not built in ${dir}: run \`npx nx build admin-console\` (npm start does)`);
      sendProblem(res, problem.toInit(), req as unknown as KitRequest);
    });
  };
  return [files, page];
}
