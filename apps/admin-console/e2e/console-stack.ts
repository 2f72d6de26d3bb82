import { SimulatorControl } from '@mxs/host-agent';
import { createTestDatabase } from '@mxs/persistence';
import type { TestDatabase } from '@mxs/persistence';
import type { AppProcess, Reply, SeededTenant } from '@mxs/test-kit';
import { ADMIN_KEY, admin, call, dropQueueKeys, seedTenant, spawnApp, testRedisUrl } from '@mxs/test-kit';
import { generateFleetSpec } from '@mxs/topology';
import type { FleetSpec } from '@mxs/topology';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const SIM_TOKEN = 'console-e2e-simulator-token-0123';
/** What `nx build admin-console` (the test target's dependency) produced. */
export const CONSOLE_DIR = join(__dirname, '..', '..', '..', 'dist', 'apps', 'admin-console');

/**
 * Every app of mxs as its own process, as `npm start` runs them, on a database and queue prefix
 * of this test file's own: the simulator, the API serving the built console, the worker, billing.
 * The demo plan is billing's default, so the tenant's expansions show up in money.
 */
export class ConsoleStack {
  private constructor(
    private readonly db: TestDatabase,
    private readonly queuePrefix: string,
    private readonly apps: readonly AppProcess[],
    readonly api: AppProcess,
    readonly billing: AppProcess,
    readonly sim: SimulatorControl,
    readonly fleet: FleetSpec,
    readonly tenant: SeededTenant,
  ) {}

  static async start(): Promise<ConsoleStack> {
    if (!existsSync(join(CONSOLE_DIR, 'index.html'))) throw new Error(`no console build in ${CONSOLE_DIR}: run \`npx nx build admin-console\``);
    const db = await createTestDatabase('console_e2e');
    const queuePrefix = `{mxs-test-${randomBytes(4).toString('hex')}}`;
    const shared = { DATABASE_URL: db.url, REDIS_URL: testRedisUrl(), MXS_QUEUE_PREFIX: queuePrefix, MXS_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'warn' };
    const apps: AppProcess[] = [];
    const started = async (app: Promise<AppProcess>): Promise<AppProcess> => {
      const running = await app;
      apps.push(running);
      return running;
    };
    try {
      // Fifty times real time: a hot-add still takes long enough to be seen attaching.
      const simulator = await started(spawnApp('host-simulator', { MXS_SIM_TOKEN: SIM_TOKEN, MXS_SIM_SEED: '7', MXS_SIM_TIME_SCALE: '0.02', LOG_LEVEL: 'warn' }, 'MXS_SIM_PORT'));
      const billing = await started(spawnApp('billing', { ...shared, PORT: '0' }));
      const api = await started(
        spawnApp('placement-api', {
          ...shared,
          MXS_RATE_LIMIT_PER_MINUTE: '0',
          MXS_CONSOLE_DIR: CONSOLE_DIR,
          MXS_BILLING_URL: billing.url,
          MXS_SIMULATOR_URL: simulator.url,
          MXS_SIMULATOR_TOKEN: SIM_TOKEN,
        }),
      );
      await started(
        spawnApp('hotplug-worker', {
          ...shared,
          PORT: '0',
          MXS_HOST_AGENT_URL: simulator.url,
          MXS_HOST_AGENT_TOKEN: SIM_TOKEN,
          MXS_SANITIZE_MS_PER_GIB: '0',
          // Telemetry often, so a failed device turns its expansions degraded within a second.
          MXS_TELEMETRY_INTERVAL_MS: '300',
          MXS_RECONCILE_INTERVAL_MS: '0',
        }),
      );
      const fleet = generateFleetSpec({ preset: 'small', seed: 7, vmsPerHost: 0 });
      expectOk(await admin(api.url, 'PUT', '/admin/v1/fleet', fleet), 'load the fleet');
      const sim = new SimulatorControl({ baseUrl: simulator.url, token: SIM_TOKEN });
      await sim.loadFleet(fleet);
      const tenant = await seedTenant(api.url, 'acme', fleet.hosts.slice(0, 3).map((h) => h.id));
      expectOk(await admin(billing.url, 'POST', '/admin/v1/plans', { id: 'demo', name: 'Demo (USD)', currency: 'USD', prices: { direct: '0.0125', pooled: '0.008' }, isDefault: true }), 'create the plan');
      return new ConsoleStack(db, queuePrefix, apps, api, billing, sim, fleet, tenant);
    } catch (error) {
      await Promise.all(apps.map((a) => a.stop()));
      await db.drop();
      throw error;
    }
  }

  /** The tenant asks for memory through the public API, as a tenant would. */
  async requestExpansion(vmId: string, body: { sizeGiB: number; tier: 'direct' | 'pooled' | 'any' }): Promise<{ id: string; extents: { deviceId: string }[] }> {
    const reply = await call(this.api.url, 'POST', `/v1/vms/${vmId}/expansions`, { key: this.tenant.key, body, headers: { 'idempotency-key': randomBytes(8).toString('hex') } });
    expectOk(reply, `expansion on ${vmId}`);
    return reply.body as { id: string; extents: { deviceId: string }[] };
  }

  adminCall(baseUrl: string, method: string, path: string, body?: unknown): Promise<Reply> {
    return admin(baseUrl, method, path, body);
  }

  async stop(): Promise<void> {
    // The worker and the API first, so nothing writes while the database goes away.
    for (const app of [...this.apps].reverse()) await app.stop();
    await this.db.drop();
    await dropQueueKeys(testRedisUrl(), this.queuePrefix);
  }
}

function expectOk(reply: Reply, what: string): void {
  if (reply.status < 200 || reply.status >= 300) throw new Error(`${what}: ${reply.status} ${JSON.stringify(reply.body)}`);
}
