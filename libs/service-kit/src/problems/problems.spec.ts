/// <reference types="jest" />
import type { TestApp } from '../__fixtures__/test-app';
import { startTestApp } from '../__fixtures__/test-app';
import { PROBLEM_TYPE_BASE, unavailableProblem } from './problem-error';
import { classifyProblem, registerProblemClassifier } from './problem-mappings';

describe('problem+json for every error', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  function expectProblem(res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, status: number, slug: string): void {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body).toMatchObject({ type: PROBLEM_TYPE_BASE + slug, status, title: expect.any(String) });
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
  }

  it('answers an unknown route with 404 not-found naming the path', async () => {
    const res = await t.http.get('/nowhere?secret=1');
    expectProblem(res, 404, 'not-found');
    expect(res.body.instance).toBe('/nowhere');
  });

  it('answers a known path with the wrong method with 405 and Allow', async () => {
    const res = await t.http.delete('/v1/vms');
    expectProblem(res, 405, 'method-not-allowed');
    expect(res.headers.allow).toBe('GET, HEAD');
  });

  it('answers malformed JSON with 400 malformed-json before any route runs', async () => {
    const res = await t.http.post('/v1/vms/vm-1/expansions').set('Content-Type', 'application/json').send('{"sizeGiB": 4,');
    expectProblem(res, 400, 'malformed-json');
  });

  it('answers a JSON body over 1 MB with 413', async () => {
    const big = JSON.stringify({ sizeGiB: 4, pad: 'x'.repeat(1_100_000) });
    const res = await t.http.post('/v1/vms/vm-1/expansions').set('Content-Type', 'application/json').send(big);
    expectProblem(res, 413, 'payload-too-large');
  });

  it('answers a non-JSON body with 415', async () => {
    const res = await t.http
      .post('/v1/vms/vm-1/expansions')
      .set('Idempotency-Key', 'key-12345')
      .set('Content-Type', 'text/plain')
      .send('sizeGiB=4');
    expectProblem(res, 415, 'unsupported-media-type');
  });

  it('answers a bad percent-encoding in the path with 400, not 500', async () => {
    const res = await t.http.get('/v1/vms/%E0%A4%A/expansions');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers['content-type']).toBe('application/problem+json');
  });

  it('maps registered domain errors with their stable type and extension members', async () => {
    const res = await t.http.get('/fail/mapped');
    expectProblem(res, 422, 'placement-refused');
    expect(res.body).toMatchObject({ reason: 'no-capacity', detail: 'refused: no-capacity', instance: '/fail/mapped' });
  });

  it('renders ProblemError as thrown, and Nest HttpExceptions by status', async () => {
    const problem = await t.http.get('/fail/problem');
    expectProblem(problem, 409, 'idempotency-conflict');
    expect(problem.body.key).toBe('k1');
    const conflict = await t.http.get('/fail/http-exception');
    expectProblem(conflict, 409, 'conflict');
    expect(conflict.body.detail).toBe('already there');
  });

  it('answers unknown errors with 500 internal and leaks nothing of them', async () => {
    const res = await t.http.get('/fail/unknown');
    expectProblem(res, 500, 'internal');
    expect(JSON.stringify(res.body)).not.toMatch(/hunter2|db\.internal|Error|at /);
  });

  it('answers an error a classifier recognises (a dependency away) with its problem and Retry-After, not 500', async () => {
    const res = await t.http.get('/fail/unavailable');
    expectProblem(res, 503, 'unavailable');
    expect(res.headers['retry-after']).toBe('2');
    expect(res.body.detail).toBe('the fixture database cannot be reached');
    expect(JSON.stringify(res.body)).not.toMatch(/10\.0\.0\.5|ECONNREFUSED/);
  });

  it('echoes a safe X-Request-Id and replaces an unsafe one', async () => {
    const kept = await t.http.get('/nowhere').set('X-Request-Id', 'client-id.42');
    expect(kept.headers['x-request-id']).toBe('client-id.42');
    expect(kept.body.requestId).toBe('client-id.42');
    const replaced = await t.http.get('/nowhere').set('X-Request-Id', `bad id with spaces ${'x'.repeat(80)}`);
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('problem classifiers', () => {
  it('answer in the order first registered, the first that claims an error wins, and a name registered again is replaced', () => {
    const tagged = (tag: string, detail: string) => (error: object) => ((error as { tag?: unknown }).tag === tag ? unavailableProblem(detail) : undefined);
    registerProblemClassifier('a', tagged('x', 'a saw x'));
    registerProblemClassifier('b', tagged('x', 'b saw x'));
    expect(classifyProblem(Object.assign(new Error('x'), { tag: 'x' }))?.detail).toBe('a saw x');
    registerProblemClassifier('a', tagged('y', 'a saw y'));
    expect(classifyProblem(Object.assign(new Error('x'), { tag: 'x' }))?.detail).toBe('b saw x');
    expect(classifyProblem(Object.assign(new Error('y'), { tag: 'y' }))?.detail).toBe('a saw y');
    expect(classifyProblem(new Error('nobody claims this'))).toBeUndefined();
  });

  it('pass over a classifier that throws, so the error keeps its 500 or a later classifier’s answer', () => {
    registerProblemClassifier('broken', () => {
      throw new Error('a bug in the classifier');
    });
    registerProblemClassifier('after-broken', (error) => ((error as { tag?: unknown }).tag === 'z' ? unavailableProblem('after') : undefined));
    expect(classifyProblem(Object.assign(new Error('z'), { tag: 'z' }))?.detail).toBe('after');
    expect(classifyProblem(new Error('nobody claims this'))).toBeUndefined();
  });
});
