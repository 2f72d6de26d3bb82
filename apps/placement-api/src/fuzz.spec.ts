/// <reference types="jest" />
import { EXPANSION_STATES } from '@mxs/contracts';
import { DEVICE_HEALTH, FLEET_FORMAT, HOST_STATES, SWITCH_STATES, generateFleetSpec } from '@mxs/topology';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { Client } from 'pg';
import type { ApiUnderTest, TestEnvironment } from './testing/api-harness';
import { ADMIN_KEY, createTestEnvironment, startApi } from './testing/api-harness';
import type { SeededTenant } from '@mxs/test-kit';
import { admin, call, loadFleet, seedTenant } from '@mxs/test-kit';
import { tableSnapshot } from './testing/db-checks';
import type { FuzzRequest } from './testing/fuzz-arbitraries';
import { authorization, bodyHeaders, bodyText, cursor, definedOnly, idempotencyKey, mutatedBody, oddValue, pathSegment, queryString } from './testing/fuzz-arbitraries';

// Every route gets bodies, headers, path parameters and query strings nobody should send. Two
// rules: never a 5xx, and a 4xx leaves every table exactly as it was (row counts and a hash
// of every row). Replay a failure with FUZZ_SEED=<seed printed below>.

const SEED = Number(process.env['FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = 100;

/** Each route's own seed, derived from the run's, so adding a route does not reshuffle the others. */
function seedOf(name: string): number {
  let hash = SEED;
  for (const char of name) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return hash;
}

interface Route {
  readonly method: string;
  readonly path: (segment: string) => string;
  /** Ids that exist, for the route's path parameter (none: the path has no parameter). */
  readonly segments?: () => readonly string[];
  readonly query?: () => Readonly<Record<string, fc.Arbitrary<string>>>;
  readonly body?: () => fc.Arbitrary<string>;
  readonly auth: 'tenant' | 'admin' | 'none';
  readonly idempotent?: boolean;
}

describe(`fuzzing every route (seed ${SEED})`, () => {
  let env: TestEnvironment;
  let api: ApiUnderTest;
  let db: Client;
  let snapshot: Record<string, string>;
  let acme: SeededTenant;
  let other: SeededTenant;
  let spare: SeededTenant;
  let hostIds: string[];
  const expansionIds: { own: string[]; foreign: string[] } = { own: [], foreign: [] };
  const realCursors: string[] = [];
  const fleetSpec = generateFleetSpec({ preset: 'small', seed: 1, vmsPerHost: 0 });
  const statuses = new Map<string, Map<number, number>>();

  beforeAll(async () => {
    process.stdout.write(`fuzz: seed ${SEED} (FUZZ_SEED=${SEED} replays this run)\n`);
    env = await createTestEnvironment('fuzz');
    // The relay marks outbox rows on its own schedule, whatever the requests; with it off, every
    // change in the database is a request's doing.
    api = await startApi(env.env({ MXS_OUTBOX_RELAY: 'false', MXS_AUTOMATION_CONCURRENCY: '0' }));
    ({ hostIds } = await loadFleet(api.url, 'small'));
    acme = await seedTenant(api.url, 'fuzz-a', hostIds.slice(0, 4));
    other = await seedTenant(api.url, 'fuzz-b', hostIds.slice(2, 4));
    spare = await seedTenant(api.url, 'fuzz-c', hostIds.slice(5, 6));
    db = new Client({ connectionString: env.db.url });
    await db.connect();
    snapshot = await tableSnapshot(db);
  });

  afterAll(async () => {
    const summary = [...statuses].map(([route, counts]) => `${route}: ${[...counts].sort(([a], [b]) => a - b).map(([s, n]) => `${s}x${n}`).join(' ')}`);
    process.stdout.write(`fuzz (seed ${SEED}) answers by route:\n  ${summary.join('\n  ')}\n`);
    await db?.end();
    await api?.close();
    await env?.drop();
  });

  /** Sends one request; fails on a 5xx, or on a 4xx that changed any table. */
  async function expectSafe(name: string, request: FuzzRequest): Promise<void> {
    const before = snapshot;
    const response = await fetch(api.url + request.path, { method: request.method, headers: request.headers, ...(request.body === undefined ? {} : { body: request.body }) });
    const text = await response.text();
    snapshot = await tableSnapshot(db);
    const counts = statuses.get(name) ?? new Map<number, number>();
    counts.set(response.status, (counts.get(response.status) ?? 0) + 1);
    statuses.set(name, counts);
    const shown = `${request.method} ${request.path.slice(0, 300)} ${JSON.stringify(request.headers).slice(0, 300)} ${request.body?.slice(0, 300) ?? ''}`;
    if (response.status >= 500) {
      const requestId = response.headers.get('x-request-id') ?? '?';
      const logged = api.logs.filter((line) => line.includes(requestId) && /"level":50/.test(line)).map((l) => l.slice(0, 1_500));
      throw new Error(`${shown}\n→ ${response.status} ${text.slice(0, 500)}\n${logged.join('\n')}`);
    }
    if (response.status >= 400 && !isDeepStrictEqual(before, snapshot)) {
      const changed = Object.keys(snapshot).filter((table) => before[table] !== snapshot[table]);
      throw new Error(`${shown}\n→ ${response.status} ${text.slice(0, 300)}\nbut changed ${changed.join(', ')}`);
    }
  }

  function requests(route: Route): fc.Arbitrary<FuzzRequest> {
    const keys =
      route.auth === 'tenant'
        ? { own: acme.key, other: [other.key, ADMIN_KEY] }
        : { own: ADMIN_KEY, other: [acme.key, `${ADMIN_KEY}x`, ADMIN_KEY.slice(0, -1), ADMIN_KEY.toUpperCase()] };
    const auth = route.auth === 'none' ? fc.option(authorization(keys), { nil: undefined }) : authorization(keys);
    const segments = route.segments?.();
    const canHaveBody = route.method !== 'GET' && route.method !== 'HEAD';
    // Bodiless routes get a stray body now and then.
    const body = route.body?.() ?? (canHaveBody ? fc.option(bodyText({ stray: true }), { nil: undefined, freq: 6 }) : fc.constant(undefined));
    return fc
      .record({
        path: segments === undefined ? fc.constant(route.path('')) : pathSegment(segments).map(route.path),
        query: route.query === undefined ? fc.constant('') : queryString(route.query()),
        headers: bodyHeaders(auth),
        key: route.idempotent === true ? idempotencyKey : fc.constant(undefined),
        body,
      })
      .map(({ path, query, headers, key, body: text }) => ({
        method: route.method,
        path: path + query,
        headers: definedOnly({ ...headers, 'idempotency-key': key }),
        ...(text === undefined ? {} : { body: text }),
      }));
  }

  function fuzz(name: string, route: Route, numRuns = RUNS): void {
    it(`${name}: never a 5xx, and a 4xx changes nothing`, async () => {
      await fc.assert(
        fc.asyncProperty(requests(route), (request) => expectSafe(name, request)),
        { numRuns, seed: seedOf(name), verbose: 1 },
      );
    });
  }

  const limit = fc.constantFrom('1', '2', '50', '100');
  const states = fc.constantFrom(...EXPANSION_STATES);
  const ownVms = (): string[] => [...acme.vmIds];
  const anyVms = (): string[] => [...acme.vmIds, ...other.vmIds, ...spare.vmIds];

  // The fleet first, while no expansion holds it, so valid documents really load.
  fuzz('PUT /admin/v1/fleet (documents)', {
    method: 'PUT',
    path: () => '/admin/v1/fleet',
    auth: 'admin',
    body: () => fc.oneof({ weight: 3, arbitrary: nestedFleetMutation() }, { weight: 2, arbitrary: mutatedBody(fleetSpec as unknown as Record<string, unknown>, [FLEET_FORMAT, [], 'small']) }),
  });
  fuzz('PUT /admin/v1/fleet (presets)', {
    method: 'PUT',
    path: () => '/admin/v1/fleet',
    auth: 'admin',
    body: () => bodyText({ preset: 'small', seed: 1 }, ['small', 'SMALL', 'rack64 ', FLEET_FORMAT, 0, 2 ** 31]),
  }, 60);

  /** A field deep inside a host, device, switch, rack or region changed to something odd. */
  function nestedFleetMutation(): fc.Arbitrary<string> {
    const lists = ['hosts', 'devices', 'switches', 'racks', 'regions'] as const;
    const fields = ['id', 'rackId', 'regionId', 'capacityGiB', 'cfmwsWindowGiB', 'dramGiB', 'attachment', 'switchIds', 'health', 'state', 'ports', 'extentBlockGiB', 'baseLatencyNs', 'memoryBlockSizeMiB', 'movableRatioPct', 'unknown'];
    const domain = fc.oneof(oddValue, fc.constantFrom(...hostIds, 'sw-001', 'rack-001', 'region-1', { kind: 'direct', hostId: 'host-001-01' }, { kind: 'switch', switchId: 'nope' }, { kind: 'multi-headed', hostIds: [] }, ...DEVICE_HEALTH));
    return fc.array(fc.tuple(fc.constantFrom(...lists), fc.nat(40), fc.constantFrom(...fields), fc.option(domain, { nil: undefined, freq: 6 })), { minLength: 1, maxLength: 3 }).map((changes) => {
      const spec = structuredClone(fleetSpec) as unknown as Record<string, Record<string, unknown>[]>;
      for (const [list, index, field, value] of changes) {
        const items = spec[list] ?? [];
        const item = items[index % Math.max(1, items.length)];
        if (item === undefined) continue;
        if (value === undefined) delete item[field];
        else item[field] = value;
      }
      return JSON.stringify(spec);
    });
  }

  describe('with expansions placed', () => {
    beforeAll(async () => {
      // Whatever the fleet fuzzing loaded, start again from the small preset.
      const restored = await admin(api.url, 'PUT', '/admin/v1/fleet', { preset: 'small', seed: 1 });
      if (restored.status !== 200) throw new Error(`fleet restore: ${restored.status} ${JSON.stringify(restored.body)}`);
      for (const [tenant, ids] of [[acme, expansionIds.own], [other, expansionIds.foreign]] as const) {
        for (const [i, vmId] of tenant.vmIds.entries()) {
          const placed = await call(api.url, 'POST', `/v1/vms/${vmId}/expansions`, { key: tenant.key, body: { sizeGiB: 8 * (i + 1), tier: 'any' }, headers: { 'idempotency-key': `seed-${i}` } });
          if (placed.status !== 202) throw new Error(`seed expansion: ${placed.status} ${JSON.stringify(placed.body)}`);
          ids.push((placed.body as { id: string }).id);
        }
      }
      for (const path of ['/v1/expansions?limit=1', '/v1/vms?limit=1']) {
        const page = await call(api.url, 'GET', path, { key: acme.key });
        realCursors.push((page.body as { nextCursor: string }).nextCursor);
      }
      snapshot = await tableSnapshot(db);
    });

    const expansions = (): string[] => [...expansionIds.own, ...expansionIds.foreign];
    const tenantIds = (): string[] => ['fuzz-a', 'fuzz-b', 'fuzz-c', 'nobody'];
    const page = (): Record<string, fc.Arbitrary<string>> => ({ limit, cursor: cursor(realCursors) });

    fuzz('GET /v1/vms', { method: 'GET', path: () => '/v1/vms', auth: 'tenant', query: page });
    fuzz('POST /v1/vms/{vmId}/expansions', {
      method: 'POST',
      path: (vm) => `/v1/vms/${vm}/expansions`,
      segments: anyVms,
      auth: 'tenant',
      idempotent: true,
      body: () => bodyText({ sizeGiB: 4, tier: 'any', layout: 'pack', maxAddedLatencyNs: 2_000 }, ['direct', 'pooled', 'any', 'pack', 'spread', 'interleave', 2, 3, 4, 8, 16, 2048, 100_000]),
    });
    fuzz('GET /v1/expansions', { method: 'GET', path: () => '/v1/expansions', auth: 'tenant', query: () => ({ ...page(), state: states, vmId: fc.constantFrom(...ownVms()) }) });
    fuzz('GET /v1/expansions/{id}', { method: 'GET', path: (id) => `/v1/expansions/${id}`, segments: expansions, auth: 'tenant' });
    fuzz('DELETE /v1/expansions/{id}', { method: 'DELETE', path: (id) => `/v1/expansions/${id}`, segments: expansions, auth: 'tenant' }, 60);

    fuzz('POST /admin/v1/tenants', { method: 'POST', path: () => '/admin/v1/tenants', auth: 'admin', body: () => bodyText({ id: 'fuzz-new', name: 'New', quotaGiB: 100, plan: 'standard' }, ['fuzz-a', 'gold', 'a-b', 0, 10_000_000]) });
    fuzz('GET /admin/v1/tenants', { method: 'GET', path: () => '/admin/v1/tenants', auth: 'admin', query: page });
    fuzz('GET /admin/v1/tenants/{id}', { method: 'GET', path: (id) => `/admin/v1/tenants/${id}`, segments: tenantIds, auth: 'admin' });
    fuzz('PATCH /admin/v1/tenants/{id}', {
      method: 'PATCH',
      path: (id) => `/admin/v1/tenants/${id}`,
      segments: tenantIds,
      auth: 'admin',
      body: () => bodyText({ name: 'Renamed', quotaGiB: 100_000, plan: 'gold' }, ['standard', 0, 1, 10_000_000]),
    });
    // Only a tenant the other routes do not use gets its key rotated.
    fuzz('POST /admin/v1/tenants/{id}/api-key', { method: 'POST', path: (id) => `/admin/v1/tenants/${id}/api-key`, segments: () => ['fuzz-c', 'nobody'], auth: 'admin' }, 60);

    fuzz('GET /admin/v1/fleet', { method: 'GET', path: () => '/admin/v1/fleet', auth: 'admin' }, 40);
    fuzz('PATCH /admin/v1/fleet/devices/{id}', {
      method: 'PATCH',
      path: (id) => `/admin/v1/fleet/devices/${id}`,
      segments: () => fleetSpec.devices.map((d) => d.id),
      auth: 'admin',
      body: () => bodyText({ health: 'degraded', reason: 'fuzz' }, DEVICE_HEALTH),
    });
    fuzz('PATCH /admin/v1/fleet/hosts/{id}', { method: 'PATCH', path: (id) => `/admin/v1/fleet/hosts/${id}`, segments: () => hostIds, auth: 'admin', body: () => bodyText({ state: 'healthy' }, HOST_STATES) });
    fuzz('PATCH /admin/v1/fleet/switches/{id}', {
      method: 'PATCH',
      path: (id) => `/admin/v1/fleet/switches/${id}`,
      segments: () => fleetSpec.switches.map((s) => s.id),
      auth: 'admin',
      body: () => bodyText({ state: 'up' }, SWITCH_STATES),
    }, 60);

    fuzz('POST /admin/v1/vms', {
      method: 'POST',
      path: () => '/admin/v1/vms',
      auth: 'admin',
      body: () => bodyText({ id: 'fuzz-vm-new', tenantId: 'fuzz-a', hostId: hostIds[0] ?? '', dramGiB: 64, name: 'new vm' }, [...hostIds.slice(0, 3), 'fuzz-b', 'nobody', ...ownVms()]),
    });
    fuzz('GET /admin/v1/vms', { method: 'GET', path: () => '/admin/v1/vms', auth: 'admin', query: () => ({ ...page(), tenantId: fc.constantFrom(...tenantIds()) }) });
    fuzz('DELETE /admin/v1/vms/{id}', { method: 'DELETE', path: (id) => `/admin/v1/vms/${id}`, segments: () => [...anyVms(), 'fuzz-vm-new'], auth: 'admin' }, 60);
    fuzz('GET /admin/v1/expansions', {
      method: 'GET',
      path: () => '/admin/v1/expansions',
      auth: 'admin',
      query: () => ({ ...page(), state: states, vmId: fc.constantFrom(...anyVms()), tenantId: fc.constantFrom(...tenantIds()) }),
    });
    fuzz('GET /admin/v1/expansions/{id}', { method: 'GET', path: (id) => `/admin/v1/expansions/${id}`, segments: expansions, auth: 'admin' });

    // Methods a route does not have, on paths that exist and paths that do not.
    it('any method on any path: never a 5xx, and a 4xx changes nothing', async () => {
      const paths = fc.constantFrom(
        '/v1/vms', `/v1/vms/${acme.vmIds[0] ?? ''}/expansions`, '/v1/expansions', `/v1/expansions/${expansionIds.own[0] ?? ''}`, '/admin/v1/tenants',
        '/admin/v1/tenants/fuzz-a', '/admin/v1/tenants/fuzz-c/api-key', '/admin/v1/fleet', `/admin/v1/fleet/hosts/${hostIds[0] ?? ''}`, '/admin/v1/vms',
        '/admin/v1/expansions', '/health', '/metrics', '/docs', '/docs/openapi.json', '/', '/v2/vms', '/admin', '/v1/vms/', '//v1//vms', '/V1/VMS',
      );
      const method = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS');
      const auth = fc.constantFrom(undefined, `Bearer ${acme.key}`, `Bearer ${ADMIN_KEY}`);
      const request = fc.tuple(method, paths, auth, fc.option(bodyText({ sizeGiB: 4, tier: 'any' }), { nil: undefined })).map(([m, path, authorization, body]): FuzzRequest => {
        const withBody = body !== undefined && m !== 'GET' && m !== 'HEAD';
        return { method: m, path, headers: definedOnly({ authorization, 'content-type': withBody ? 'application/json' : undefined, 'idempotency-key': 'any-method' }), ...(withBody ? { body } : {}) };
      });
      await fc.assert(fc.asyncProperty(request, (r) => expectSafe('any method', r)), { numRuns: RUNS, seed: SEED, verbose: 1 });
    });
  });
});
