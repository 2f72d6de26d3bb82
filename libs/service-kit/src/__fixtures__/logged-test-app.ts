/// <reference types="jest" />
import type { TestApp, TestAppOptions } from './test-app';
import { startTestApp } from './test-app';

export type LogLine = Record<string, unknown> & { msg?: string; requestId?: string };

export interface LoggedTestApp {
  /** Every JSON line the app wrote, parsed, in order. */
  readonly lines: LogLine[];
  /** The app, once the file's beforeAll has started it. */
  app(): TestApp;
}

/** A test app logging at info into `lines`: started before the file's tests, closed after them. */
export function loggedTestApp(options: Omit<TestAppOptions, 'env' | 'logDestination'> = {}): LoggedTestApp {
  const lines: LogLine[] = [];
  let started: TestApp | undefined;
  beforeAll(async () => {
    started = await startTestApp({ ...options, env: { LOG_LEVEL: 'info' }, logDestination: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) } });
  });
  afterAll(async () => {
    await started?.close();
  });
  return {
    lines,
    app: () => {
      if (started === undefined) throw new Error('loggedTestApp: the app starts in beforeAll');
      return started;
    },
  };
}
