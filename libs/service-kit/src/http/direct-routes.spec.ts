/// <reference types="jest" />
import type { Server } from 'node:http';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { loggedTestApp } from '../__fixtures__/logged-test-app';
import { CapacityError } from '../__fixtures__/test-app';
import { bearerToken, unauthorized } from '../auth/bearer';
import { PROBLEM_TYPE_BASE } from '../problems/problem-error';
import type { DirectRoute } from './direct-routes';
import { directRoute, serveDirectRoutes } from './direct-routes';

const TOKEN = 'direct-token-0123456789';
const id = z.string().regex(/^[a-z0-9-]+$/, 'expected lowercase letters, digits and dashes');
const wait = z.strictObject({ waitMs: z.coerce.number().int().min(0).max(1000).optional() });
const plug = z.strictObject({ sizeGiB: z.number().int().min(1), note: z.string().optional() });

/** Shaped like the simulator's agent routes; what each one saw comes back in its answer. */
function routes(): DirectRoute[] {
  return [
    directRoute({ method: 'GET', path: '/hosts/:hostId', params: z.strictObject({ hostId: id }), handle: ({ params }) => ({ host: params.hostId }) }),
    directRoute({
      method: 'POST', path: '/hosts/:hostId/vms/:vmId/plug', params: z.strictObject({ hostId: id, vmId: id }), query: wait, body: plug,
      handle: async ({ params, query, body }) => ({ ...params, ...query, ...body }),
    }),
    directRoute({ method: 'DELETE', path: '/hosts/:hostId/regions/:regionId', params: z.strictObject({ hostId: id, regionId: id }), status: 204, handle: () => undefined }),
    directRoute({ method: 'GET', path: '/hosts/:hostId/refused', params: z.strictObject({ hostId: id }), handle: () => Promise.reject(new CapacityError('no-capacity')) }),
    directRoute({ method: 'GET', path: '/hosts/:hostId/broken', params: z.strictObject({ hostId: id }), handle: () => { throw new Error('password=hunter2 at db.internal:5432'); } }),
  ];
}

describe('direct routes, served ahead of express and Nest', () => {
  const logged = loggedTestApp();
  const http = () => logged.app().http;
  const auth = { Authorization: `Bearer ${TOKEN}` };
  beforeAll(() => {
    serveDirectRoutes(logged.app().app, routes(), {
      authorize: (req) => {
        if (bearerToken(req) !== TOKEN) throw unauthorized('direct-test', 'Send the token.');
      },
      bodyLimit: '1kb',
    });
  });

  function expectProblem(res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, status: number, slug: string): void {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body).toMatchObject({ type: PROBLEM_TYPE_BASE + slug, status });
    expect(res.body['requestId']).toBe(res.headers['x-request-id']);
  }

  it('answers with the handler\'s value, its parts decoded and validated, and logs the request with its id', async () => {
    const res = await http().post('/hosts/host-1/vms/vm%2Da/plug?waitMs=250').set(auth).send({ sizeGiB: 4 });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body).toEqual({ hostId: 'host-1', vmId: 'vm-a', waitMs: 250, sizeGiB: 4 });
    const line = logged.lines.find((l) => l.requestId === res.headers['x-request-id'] && l.msg === 'request completed');
    expect(line).toMatchObject({ res: { statusCode: 200 } });
    expect(JSON.stringify(line)).not.toContain(TOKEN);
    const mine = await http().get('/HOSTS/host-1/').set({ ...auth, 'X-Request-Id': 'client-id-1' });
    expect(mine.body).toEqual({ host: 'host-1' });
    expect(mine.headers['x-request-id']).toBe('client-id-1');
    // The access line has the request's params and query, as express's requests give it.
    expect(line).toMatchObject({ req: { params: { hostId: 'host-1', vmId: 'vm-a' }, query: { waitMs: '250' } } });
  });

  it('answers 204 with no body, and HEAD on a GET route without one', async () => {
    const removed = await http().delete('/hosts/host-1/regions/r-1').set(auth);
    expect(removed.status).toBe(204);
    expect(removed.text).toBe('');
    const get = await http().get('/hosts/host-1').set(auth);
    const head = await http().head('/hosts/host-1').set(auth);
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(get.text)));
  });

  it('reports the errors of every part at once, naming each field', async () => {
    const res = await http().post('/hosts/Host_1/vms/vm-a/plug?waitMs=-1&extra=1').set(auth).send({ sizeGiB: 0, more: true });
    expectProblem(res, 400, 'validation-failed');
    const paths = (res.body as { errors: { path: string }[] }).errors.map((e) => e.path).sort();
    expect(paths).toEqual(['body.more', 'body.sizeGiB', 'params.hostId', 'query.extra', 'query.waitMs']);
    const undecodable = await http().get('/hosts/%E0%A4%A').set(auth);
    expectProblem(undecodable, 400, 'validation-failed');
  });

  it('refuses bodies as the kit\'s body parser does: malformed, not JSON, too large, not an object', async () => {
    const post = () => http().post('/hosts/host-1/vms/vm-a/plug').set(auth);
    expectProblem(await post().set('Content-Type', 'application/json').send('{"sizeGiB": 4,'), 400, 'malformed-json');
    expectProblem(await post().set('Content-Type', 'application/json').send('4'), 400, 'malformed-json');
    expectProblem(await post().set('Content-Type', 'text/plain').send('sizeGiB=4'), 415, 'unsupported-media-type');
    expectProblem(await post().set('Content-Type', 'application/json; charset=latin1').send('{"sizeGiB":4}'), 415, 'unsupported-media-type');
    expectProblem(await post().send({ sizeGiB: 4, note: 'x'.repeat(2048) }), 413, 'payload-too-large');
    const none = await post();
    expectProblem(none, 400, 'validation-failed');
    expect(none.body).toMatchObject({ errors: [{ path: 'body' }] });
    // Sent in chunks with no length up front: the limit holds while it is read.
    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const { port } = logged.app().app.getHttpServer().address() as AddressInfo;
      const headers = { ...auth, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' };
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/hosts/host-1/vms/vm-a/plug', headers }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write('{"sizeGiB": 4, "note": "');
      req.write('x'.repeat(2048));
      req.end('"}');
    });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body)).toMatchObject({ type: `${PROBLEM_TYPE_BASE}payload-too-large` });
  });

  it('refuses a request the authorizer refuses before reading anything of it', async () => {
    const res = await http().post('/hosts/host-1/vms/vm-a/plug').set('Content-Type', 'application/json').send('{bad');
    expectProblem(res, 401, 'unauthorized');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="direct-test"');
  });

  it('answers a served path with another method 405 and Allow', async () => {
    const res = await http().put('/hosts/host-1').set(auth);
    expectProblem(res, 405, 'method-not-allowed');
    expect(res.headers['allow']).toBe('GET, HEAD');
  });

  it('maps thrown errors as the problem filter does, and hides unexpected ones', async () => {
    const refused = await http().get('/hosts/host-1/refused').set(auth);
    expectProblem(refused, 422, 'placement-refused');
    expect(refused.body).toMatchObject({ reason: 'no-capacity', instance: '/hosts/host-1/refused' });
    const broken = await http().get('/hosts/host-1/broken').set(auth);
    expectProblem(broken, 500, 'internal');
    expect(JSON.stringify(broken.body)).not.toContain('hunter2');
    expect(logged.lines.some((l) => l.requestId === broken.headers['x-request-id'] && l.msg === 'unhandled error')).toBe(true);
  });

  it('refuses to take over a server whose request listeners it cannot tell apart', () => {
    const server = logged.app().app.getHttpServer() as Server;
    const another = (): void => undefined;
    server.on('request', another);
    try {
      expect(() => serveDirectRoutes(logged.app().app, routes())).toThrow(/expected the server's one request listener \(express\), found 2/);
    } finally {
      server.off('request', another);
    }
  });

  it('times each request under its route pattern, and leaves every other request to express and Nest', async () => {
    await http().get('/hosts/host-2').set(auth);
    const metrics = (await http().get('/metrics')).text;
    expect(metrics).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/hosts\/:hostId",status="200"\} \d+/);
    expect(metrics).not.toContain('host-2');
    const nest = await http().get('/v1/vms?limit=5');
    expect(nest.status).toBe(200);
    expect(nest.body).toEqual({ limit: 5 });
    expectProblem(await http().get('/nowhere'), 404, 'not-found');
  });
});
