/// <reference types="jest" />
import type { TestApp } from '../__fixtures__/test-app';
import { startTestApp } from '../__fixtures__/test-app';

// A file of its own: nestjs-pino keeps the logger it writes through outside a request in its
// module, set by the first app a process builds, so this app must be that first one.
type LogLine = Record<string, unknown> & { msg?: string; requestId?: string };

describe('JSON logs without the request context', () => {
  const lines: LogLine[] = [];
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      env: { LOG_LEVEL: 'info' },
      requestContext: false,
      logDestination: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('still gives the access line the request id, but not logs written inside a handler', async () => {
    await t.http.get('/fail/log').set('X-Request-Id', 'trace-5');
    expect(lines.filter((line) => line.requestId === 'trace-5').map((line) => line.msg)).toEqual(['request completed']);
    expect(lines.find((line) => line.msg === 'inside the handler')).toMatchObject({ level: 30 });
    expect(lines.find((line) => line.msg === 'inside the handler')).not.toHaveProperty('requestId');
  });
});
