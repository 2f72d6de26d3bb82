/// <reference types="jest" />
import { SimulatorControl } from '@mxs/host-agent';
import type { AppProcess, SeededTenant } from '@mxs/test-kit';
import { ADMIN_KEY, admin, call, freePort, loadFleet, seedTenant, spawnApp } from '@mxs/test-kit';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiUnderTest, TestEnvironment } from './testing/api-harness';
import { createTestEnvironment, startApi } from './testing/api-harness';
import { expectProblem, placeExpansion } from './testing/expectations';

const SIM_TOKEN = 'console-spec-simulator-token-01';

// What the console needs beside the admin API, on the API's origin: sign-in for Bull Board, the
// queues themselves, the built files, billing's routes and the simulator's faults.
describe('the console’s routes', () => {
  let env: TestEnvironment;
  let api: ApiUnderTest;
  let billing: AppProcess;
  let simulator: AppProcess;
  let acme: SeededTenant;
  let consoleDir: string;

  beforeAll(async () => {
    consoleDir = mkdtempSync(join(tmpdir(), 'mxs-console-'));
    mkdirSync(join(consoleDir, 'assets'));
    writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><title>mxs console</title><div id="root"></div>');
    writeFileSync(join(consoleDir, 'assets', 'index-abc123.js'), 'console.log("mxs")');
    env = await createTestEnvironment('console');
    [billing, simulator] = await Promise.all([
      spawnApp('billing', env.env({ PORT: '0' })),
      spawnApp('host-simulator', { MXS_SIM_TOKEN: SIM_TOKEN, MXS_SIM_TIME_SCALE: '0', LOG_LEVEL: 'warn' }, 'MXS_SIM_PORT'),
    ]);
    api = await startApi(env.env({ MXS_CONSOLE_DIR: consoleDir, MXS_BILLING_URL: billing.url, MXS_SIMULATOR_URL: simulator.url, MXS_SIMULATOR_TOKEN: SIM_TOKEN }));
    const { hostIds } = await loadFleet(api.url, 'small', 1);
    await new SimulatorControl({ baseUrl: simulator.url, token: SIM_TOKEN }).loadFleet({ preset: 'small', seed: 1 });
    acme = await seedTenant(api.url, 'acme', hostIds.slice(0, 2));
  });

  afterAll(async () => {
    await api?.close();
    await Promise.all([billing?.stop(), simulator?.stop()]);
    await env?.drop();
    rmSync(consoleDir, { recursive: true, force: true });
  });

  describe('sign-in and Bull Board', () => {
    it('checks the admin key and sets a session cookie only Bull Board’s path receives', async () => {
      expectProblem(await call(api.url, 'POST', '/admin/v1/session', { key: `${ADMIN_KEY}x` }), 401, 'unauthorized');
      const signedIn = await call(api.url, 'POST', '/admin/v1/session', { key: ADMIN_KEY });
      expect(signedIn.status).toBe(204);
      const cookie = signedIn.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/^mxs_console=\d+\.[\w-]{43}; Path=\/admin\/queues; HttpOnly; SameSite=Strict$/);
      // No Max-Age or Expires: the browser forgets it with its session.
      expect(cookie).not.toMatch(/Max-Age|Expires/i);
      const signedOut = await call(api.url, 'DELETE', '/admin/v1/session', { key: ADMIN_KEY });
      expect(signedOut.status).toBe(204);
      expect(signedOut.headers.get('set-cookie')).toMatch(/^mxs_console=; .*Max-Age=0/);
    });

    it('serves Bull Board over the stack’s queues to the admin key or the session cookie, and to nobody else', async () => {
      const session = ((await call(api.url, 'POST', '/admin/v1/session', { key: ADMIN_KEY })).headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      await placeExpansion(api, acme, acme.vmIds[0] ?? '', { sizeGiB: 8, tier: 'any' });

      const page = await fetch(`${api.url}/admin/queues`, { headers: { cookie: session, accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('mxs queues');
      const queues = await call(api.url, 'GET', '/admin/queues/api/queues', { headers: { cookie: session } });
      expect(queues.status).toBe(200);
      const names = (queues.body as { queues: { name: string }[] }).queues.map((q) => q.name).sort();
      expect(names).toEqual(['billing', 'expansion-events', 'hotplug', 'maintenance', 'placement-requests', 'usage-events']);
      expect((await call(api.url, 'GET', '/admin/queues/api/queues', { key: ADMIN_KEY })).status).toBe(200);

      expectProblem(await call(api.url, 'GET', '/admin/queues/api/queues'), 401, 'unauthorized');
      const forged = session.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
      expectProblem(await call(api.url, 'GET', '/admin/queues/api/queues', { headers: { cookie: forged } }), 401, 'unauthorized');
      expectProblem(await call(api.url, 'GET', '/admin/queues/api/queues', { key: acme.key }), 401, 'unauthorized');
      const browser = await fetch(`${api.url}/admin/queues`, { headers: { accept: 'text/html' }, redirect: 'manual' });
      expect({ status: browser.status, location: browser.headers.get('location') }).toEqual({ status: 303, location: '/console/?signin=queues' });
    });
  });

  describe('/console', () => {
    it('serves the built files, and index.html for the console’s own paths', async () => {
      for (const path of ['/console/', '/console/devices/pool-001-1', '/console/expansions']) {
        const page = await fetch(api.url + path);
        expect({ path, status: page.status, type: page.headers.get('content-type') }).toEqual({ path, status: 200, type: 'text/html; charset=utf-8' });
        expect(await page.text()).toContain('<title>mxs console</title>');
      }
      const asset = await fetch(`${api.url}/console/assets/index-abc123.js`);
      expect(await asset.text()).toBe('console.log("mxs")');
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect((await fetch(`${api.url}/console/`, { method: 'POST' })).status).toBe(404);
    });

    it('says how to build the console when it is not built', async () => {
      rmSync(join(consoleDir, 'index.html'));
      try {
        const reply = await call(api.url, 'GET', '/console/');
        expect(expectProblem(reply, 503, 'console-not-built').detail).toContain('npx nx build admin-console');
      } finally {
        writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><title>mxs console</title><div id="root"></div>');
      }
    });
  });

  describe('/billing', () => {
    it('forwards to the billing service as is: its answers, its auth, its problems', async () => {
      const sla = await call(api.url, 'GET', '/billing/admin/v1/sla', { key: ADMIN_KEY });
      expect(sla.status).toBe(200);
      expect(sla.body).toMatchObject({ period: expect.stringMatching(/^\d{4}-\d{2}$/), fleet: { timeToReady: { count: expect.any(Number) } } });
      const invoices = await call(api.url, 'GET', '/billing/admin/v1/invoices?tenantId=acme&limit=5', { key: ADMIN_KEY });
      expect(invoices).toMatchObject({ status: 200, body: { items: [], nextCursor: null } });
      const mine = await call(api.url, 'GET', '/billing/v1/sla', { key: acme.key });
      expect(mine).toMatchObject({ status: 200, body: { tenantId: 'acme' } });
      expectProblem(await call(api.url, 'GET', '/billing/admin/v1/sla', { key: acme.key }), 401, 'unauthorized');
      expectProblem(await call(api.url, 'GET', '/billing/admin/v1/invoices?limit=0', { key: ADMIN_KEY }), 400, 'validation-failed');
      // Billing's own 404 for a path it does not have.
      expect((await call(api.url, 'GET', '/billing/nothing-here', { key: ADMIN_KEY })).status).toBe(404);
    });

    it('answers 503 without a billing URL and 502 when billing does not answer', async () => {
      const unconfigured = await startApi(env.env());
      const down = await startApi(env.env({ MXS_BILLING_URL: `http://127.0.0.1:${await freePort()}` }));
      try {
        expectProblem(await call(unconfigured.url, 'GET', '/billing/admin/v1/sla', { key: ADMIN_KEY }), 503, 'billing-not-configured');
        expectProblem(await call(down.url, 'GET', '/billing/admin/v1/sla', { key: ADMIN_KEY }), 502, 'billing-unreachable');
      } finally {
        await Promise.all([unconfigured.close(), down.close()]);
      }
    });
  });

  describe('POST /admin/v1/faults', () => {
    const sim = (): SimulatorControl => new SimulatorControl({ baseUrl: simulator.url, token: SIM_TOKEN });

    it('injects a device failure into the simulator, and restores it', async () => {
      const failed = await admin(api.url, 'POST', '/admin/v1/faults', { kind: 'device-fail', deviceId: 'pool-001-1', reason: 'drill' });
      expect(failed).toMatchObject({ status: 200, body: { seq: expect.any(Number) } });
      expect((await sim().deviceHealth('pool-001-1')).mediaStatus).toBe('failed');
      const restored = await admin(api.url, 'POST', '/admin/v1/faults', { kind: 'device-restore', deviceId: 'pool-001-1' });
      expect((restored.body as { seq: number }).seq).toBeGreaterThan((failed.body as { seq: number }).seq);
      expect((await sim().deviceHealth('pool-001-1')).mediaStatus).not.toBe('failed');
    });

    it('takes a switch link and a host down and up', async () => {
      expect((await admin(api.url, 'POST', '/admin/v1/faults', { kind: 'link-down', switchId: 'sw-001' })).status).toBe(200);
      expect((await sim().switchState('sw-001')).up).toBe(false);
      expect((await admin(api.url, 'POST', '/admin/v1/faults', { kind: 'link-up', switchId: 'sw-001' })).status).toBe(200);
      expect((await sim().switchState('sw-001')).up).toBe(true);
      expect((await admin(api.url, 'POST', '/admin/v1/faults', { kind: 'host-crash', hostId: 'host-001-01' })).status).toBe(200);
      expect((await sim().host('host-001-01')).up).toBe(false);
      expect((await admin(api.url, 'POST', '/admin/v1/faults', { kind: 'host-restart', hostId: 'host-001-01' })).status).toBe(200);
      expect((await sim().host('host-001-01')).up).toBe(true);
    });

    it('refuses faults outside the operator’s set, bad bodies and unknown parts with a 4xx', async () => {
      expectProblem(await admin(api.url, 'POST', '/admin/v1/faults', { kind: 'poison', deviceId: 'pool-001-1', dpa: 0 }), 400, 'validation-failed');
      expectProblem(await admin(api.url, 'POST', '/admin/v1/faults', { kind: 'device-fail' }), 400, 'validation-failed');
      expectProblem(await admin(api.url, 'POST', '/admin/v1/faults', { kind: 'device-fail', deviceId: 'pool-001-1', extra: 1 }), 400, 'validation-failed');
      expectProblem(await admin(api.url, 'POST', '/admin/v1/faults', { kind: 'device-fail', deviceId: 'no-such-device' }), 422, 'fault-refused');
      expectProblem(await call(api.url, 'POST', '/admin/v1/faults', { key: acme.key, body: { kind: 'host-crash', hostId: 'host-001-01' } }), 401, 'unauthorized');
      expect((await sim().host('host-001-01')).up).toBe(true);
    });

    it('answers 503 when no simulator is configured', async () => {
      const bare = await startApi(env.env());
      try {
        expectProblem(await call(bare.url, 'POST', '/admin/v1/faults', { key: ADMIN_KEY, body: { kind: 'host-crash', hostId: 'host-001-01' } }), 503, 'simulator-not-configured');
      } finally {
        await bare.close();
      }
    });
  });
});
