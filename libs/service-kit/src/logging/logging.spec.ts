/// <reference types="jest" />
import type { LogLine } from '../__fixtures__/logged-test-app';
import { loggedTestApp } from '../__fixtures__/logged-test-app';

describe('JSON logs', () => {
  const { lines, app } = loggedTestApp();
  beforeEach(() => {
    lines.length = 0;
  });

  const forRequest = (id: string): LogLine[] => lines.filter((line) => line.requestId === id);

  it('writes one access line per request with its id, status and no credentials', async () => {
    await app().http.get('/v1/vms').set('X-Request-Id', 'trace-1').set('Authorization', 'Bearer mxs_secret');
    const [access] = forRequest('trace-1');
    expect(access).toMatchObject({ msg: 'request completed', res: { statusCode: 200 }, req: { method: 'GET', url: '/v1/vms' } });
    expect(JSON.stringify(lines)).not.toContain('mxs_secret');
    expect((access?.req as { headers: Record<string, string> }).headers.authorization).toBe('[redacted]');
  });

  it('gives logs written inside a handler the request id', async () => {
    await app().http.get('/fail/log').set('X-Request-Id', 'trace-2');
    expect(forRequest('trace-2').map((line) => line.msg)).toEqual(['inside the handler', 'request completed']);
  });

  it('logs an unexpected error with its stack and request id, at error level', async () => {
    await app().http.get('/fail/unknown').set('X-Request-Id', 'trace-3');
    const logged = forRequest('trace-3').find((line) => line.msg === 'unhandled error');
    expect(logged?.level).toBe(50);
    expect((logged?.err as { stack: string }).stack).toContain('password=hunter2');
    // Its access line is at error level too, with the status.
    const access = forRequest('trace-3').find((line) => line.msg === 'request errored');
    expect(access).toMatchObject({ level: 50, res: { statusCode: 500 }, req: { method: 'GET', url: '/fail/unknown' } });
  });

  it('logs an error a classifier recognised as a warning with its cause, and its access line as a warning too, with no stack', async () => {
    await app().http.get('/fail/unavailable').set('X-Request-Id', 'trace-5');
    expect(forRequest('trace-5')).toEqual([
      expect.objectContaining({ level: 40, msg: 'answered 503 unavailable: connect ECONNREFUSED 10.0.0.5:5432', cause: 'connect ECONNREFUSED 10.0.0.5:5432' }),
      expect.objectContaining({ level: 40, msg: 'request unavailable', res: expect.objectContaining({ statusCode: 503 }) }),
    ]);
    expect(forRequest('trace-5').some((line) => 'err' in line)).toBe(false);
  });

  it('names every address tried in the cause when Node joined their failures', async () => {
    await app().http.get('/fail/unavailable-everywhere').set('X-Request-Id', 'trace-6');
    const [warning] = forRequest('trace-6');
    expect(warning?.cause).toBe('connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432');
  });

  it('logs requests refused before routing (malformed JSON) with their id too', async () => {
    await app().http.post('/v1/vms/vm-1/expansions').set('X-Request-Id', 'trace-4').set('Content-Type', 'application/json').send('{');
    expect(forRequest('trace-4')).toEqual([expect.objectContaining({ msg: 'request completed', res: expect.objectContaining({ statusCode: 400 }) })]);
  });

  it('keeps health probes and metric scrapes out of the access log', async () => {
    await app().http.get('/health');
    await app().http.get('/metrics');
    expect(lines.filter((line) => line.msg === 'request completed')).toEqual([]);
  });
});
