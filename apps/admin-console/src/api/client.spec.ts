/**
 * @jest-environment node
 */
/// <reference types="jest" />
// Node's own fetch Response stands in for the server: the client, not fetch, is under test.
import { ApiClient, fileNameFromContentDisposition, withQuery } from './client';
import { ApiProblem, describeFailure } from './problem';

type Call = { url: string; init: RequestInit | undefined };

function fakeFetch(answer: () => Response): { calls: Call[]; fetchFn: (url: string, init?: RequestInit) => Promise<Response> } {
  const calls: Call[] = [];
  return {
    calls,
    fetchFn: (url, init) => {
      calls.push({ url, init });
      return Promise.resolve(answer());
    },
  };
}

const problemJson = (status: number, body: object): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/problem+json' } });

describe('ApiClient', () => {
  it('sends the admin key as a bearer token and parses the JSON answer', async () => {
    const { calls, fetchFn } = fakeFetch(() => Response.json({ name: 'lab' }));
    const client = new ApiClient('secret-key', fetchFn);

    await expect(client.get('/admin/v1/fleet')).resolves.toEqual({ name: 'lab' });

    expect(calls[0]?.url).toBe('/admin/v1/fleet');
    expect(new Headers(calls[0]?.init?.headers).get('authorization')).toBe('Bearer secret-key');
    expect(calls[0]?.init?.method).toBe('GET');
  });

  it('sends a JSON body on PATCH and leaves empty query values out', async () => {
    const { calls, fetchFn } = fakeFetch(() => Response.json({ id: 'd1', health: 'draining', healthReason: null }));
    const client = new ApiClient('k', fetchFn, { baseUrl: 'http://api.test' });

    await client.patch('/admin/v1/fleet/devices/d1', { health: 'draining' });
    await client.get('/admin/v1/expansions', { state: 'active', tenantId: '', vmId: undefined, cursor: null, limit: 50 });

    expect(calls[0]?.init?.body).toBe('{"health":"draining"}');
    expect(new Headers(calls[0]?.init?.headers).get('content-type')).toBe('application/json');
    expect(calls[1]?.url).toBe('http://api.test/admin/v1/expansions?state=active&limit=50');
  });

  it('answers undefined for 204 No Content', async () => {
    const { fetchFn } = fakeFetch(() => new Response(null, { status: 204 }));
    await expect(new ApiClient('k', fetchFn).post('/admin/v1/session')).resolves.toBeUndefined();
  });

  it('turns a problem+json answer into an ApiProblem with its status and detail', async () => {
    const { fetchFn } = fakeFetch(() =>
      problemJson(409, {
        type: 'https://mxs.example/problems/conflict',
        title: 'Conflict',
        status: 409,
        detail: 'Expansion exp-a is detaching; it cannot be force-released',
      }),
    );
    const failure = await new ApiClient('k', fetchFn).post('/admin/v1/expansions/exp-a/force-release').catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ApiProblem);
    const problem = failure as ApiProblem;
    expect(problem.status).toBe(409);
    expect(problem.detail).toBe('Expansion exp-a is detaching; it cannot be force-released');
    expect(problem.type).toBe('https://mxs.example/problems/conflict');
    expect(problem.message).toBe(problem.detail);
  });

  it('lists validation errors after the detail', async () => {
    const { fetchFn } = fakeFetch(() =>
      problemJson(400, { title: 'Bad Request', status: 400, detail: 'The body is invalid', errors: [{ path: 'health', message: 'must be draining or healthy' }] }),
    );
    const failure = await new ApiClient('k', fetchFn).patch('/x', { health: 'x' }).catch((error: unknown) => error);
    expect(describeFailure(failure)).toBe('The body is invalid (health: must be draining or healthy)');
  });

  it('calls onUnauthorized on a 401, and still throws the problem', async () => {
    const { fetchFn } = fakeFetch(() => problemJson(401, { title: 'Unauthorized', status: 401, detail: 'The admin key is wrong' }));
    const onUnauthorized = jest.fn();
    const failure = await new ApiClient('k', fetchFn, { onUnauthorized }).get('/admin/v1/fleet').catch((error: unknown) => error);

    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect((failure as ApiProblem).detail).toBe('The admin key is wrong');
  });

  it('describes an error page that is not JSON by its status', async () => {
    const { fetchFn } = fakeFetch(() => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    const failure = await new ApiClient('k', fetchFn).get('/billing/admin/v1/sla').catch((error: unknown) => error);
    expect((failure as ApiProblem).status).toBe(502);
    expect((failure as ApiProblem).detail).toBe('The API answered 502 Bad Gateway');
  });

  it('turns a network failure into a status-0 problem', async () => {
    const client = new ApiClient('k', () => Promise.reject(new TypeError('Failed to fetch')));
    const failure = await client.get('/admin/v1/fleet').catch((error: unknown) => error);
    expect((failure as ApiProblem).status).toBe(0);
    expect((failure as ApiProblem).detail).toBe('Cannot reach the API: Failed to fetch');
  });

  it('downloads a CSV with Accept: text/csv and the file name the server gave', async () => {
    const { calls, fetchFn } = fakeFetch(
      () => new Response('kind,amount\nusage,119040\n', { headers: { 'content-type': 'text/csv', 'content-disposition': 'attachment; filename="invoice-acme-2026-10.csv"' } }),
    );
    const { blob, fileName } = await new ApiClient('k', fetchFn).download('/billing/admin/v1/invoices/inv-1');

    expect(new Headers(calls[0]?.init?.headers).get('accept')).toBe('text/csv');
    expect(fileName).toBe('invoice-acme-2026-10.csv');
    await expect(blob.text()).resolves.toBe('kind,amount\nusage,119040\n');
  });
});

describe('fileNameFromContentDisposition', () => {
  it.each([
    ['attachment; filename="a b.csv"', 'a b.csv'],
    ['attachment; filename=plain.csv', 'plain.csv'],
    ["attachment; filename=\"fallback.csv\"; filename*=UTF-8''r%C3%A9sum%C3%A9.csv", 'résumé.csv'],
    ['attachment', null],
    [null, null],
  ])('%s → %s', (header, expected) => {
    expect(fileNameFromContentDisposition(header)).toBe(expected);
  });
});

describe('withQuery', () => {
  it('encodes values and leaves out blanks', () => {
    expect(withQuery('/p', { tenantId: 'a&b', cursor: null })).toBe('/p?tenantId=a%26b');
    expect(withQuery('/p', {})).toBe('/p');
  });
});
