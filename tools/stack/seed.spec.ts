/// <reference types="jest" />
// The seed step against a real placement API process on a database of its own, run twice as
// `npm start` runs it on every start; then the curl the summary prints, run by a shell.
import type { TestDatabase } from '@mxs/persistence';
import { createTestDatabase } from '@mxs/persistence';
import { Redis } from 'ioredis';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { RunningApp } from './apps';
import { PLACEMENT_API, startApp } from './apps';
import { findFreePort } from './probes';
import type { SeedResult } from './seed';
import { DEMO_TENANT, DEMO_VM_COUNT, seedDemo } from './seed';
import { expansionCurl } from './summary';

const root = join(__dirname, '..', '..');
const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const adminKey = randomBytes(24).toString('base64url');
// Its own queue keys in the shared Redis, removed afterwards.
const queuePrefix = `{mxs-stack-seed-${randomBytes(4).toString('hex')}}`;

let db: TestDatabase | undefined;
let api: RunningApp | undefined;
let first: SeedResult;
let second: SeedResult;

async function get(path: string, key: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${api?.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  db = await createTestDatabase('stack_seed');
  api = await startApp(PLACEMENT_API, {
    root,
    settings: { databaseUrl: db.url, redisUrl, adminKey, hostAgentUrl: 'http://127.0.0.1:9', hostAgentToken: 'unused-in-this-test-0123', billingUrl: 'http://127.0.0.1:9', consoleDir: '/nonexistent' },
    port: await findFreePort(),
    baseEnv: { ...process.env, MXS_QUEUE_PREFIX: queuePrefix, LOG_LEVEL: 'warn', MXS_RATE_LIMIT_PER_MINUTE: '0' },
    healthTimeoutMs: 90_000,
  });
  first = await seedDemo({ apiUrl: api.url, adminKey });
  second = await seedDemo({ apiUrl: api.url, adminKey });
}, 150_000);

afterAll(async () => {
  await api?.process.stop(10_000);
  await db?.drop();
  const redis = new Redis(redisUrl);
  try {
    const keys = await redis.keys(`${queuePrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}, 30_000);

describe('seedDemo against a fresh placement API', () => {
  it('loads the small fleet, creates the demo tenant and registers the demo VMs on the first hosts', async () => {
    expect(first.fleet).toMatchObject({ name: 'small-seed1', loadedNow: true });
    expect(first.fleet.hosts).toBeGreaterThanOrEqual(DEMO_VM_COUNT);
    expect(first.fleet.capacityGiB).toBeGreaterThan(0);
    expect(first.tenant).toEqual({ id: 'demo', apiKey: expect.stringMatching(/^mxs_/), created: true });
    expect(first.vms.map((vm) => [vm.id, vm.outcome])).toEqual([
      ['demo-vm-1', 'created'],
      ['demo-vm-2', 'created'],
      ['demo-vm-3', 'created'],
    ]);
    const fleet = (await get('/admin/v1/fleet', adminKey)).body as { hosts: { id: string }[] };
    expect(first.vms.map((vm) => vm.hostId)).toEqual(fleet.hosts.slice(0, DEMO_VM_COUNT).map((h) => h.id));
    const tenant = await get(`/admin/v1/tenants/${DEMO_TENANT.id}`, adminKey);
    expect(tenant.body).toMatchObject({ id: 'demo', name: 'Demo tenant', quotaGiB: 4096 });
  });

  it('runs again on the seeded stack: keeps the fleet and VMs, and rotates the key so it can be printed', async () => {
    expect(second.fleet).toMatchObject({ name: 'small-seed1', loadedNow: false, hosts: first.fleet.hosts });
    expect(second.tenant).toEqual({ id: 'demo', apiKey: expect.stringMatching(/^mxs_/), created: false });
    expect(second.tenant.apiKey).not.toBe(first.tenant.apiKey);
    expect(second.vms).toEqual(first.vms.map((vm) => ({ ...vm, outcome: 'existing' })));
    expect((await get('/v1/vms', first.tenant.apiKey)).status).toBe(401);
    const vms = await get('/v1/vms', second.tenant.apiKey);
    expect(vms.status).toBe(200);
    expect((vms.body as { items: { id: string }[] }).items.map((vm) => vm.id)).toEqual(['demo-vm-1', 'demo-vm-2', 'demo-vm-3']);
  });

  it('the curl of the summary, pasted into a shell, creates an expansion', () => {
    const command = expansionCurl(api?.url ?? '', second.tenant.apiKey, 'demo-vm-1').join('\n');
    const output = execFileSync('bash', ['-c', `${command} -w '\\n%{http_code}'`], { encoding: 'utf8' });
    const lines = output.trim().split('\n');
    expect(lines.pop()).toBe('202');
    expect(JSON.parse(lines.join('\n'))).toMatchObject({ vmId: 'demo-vm-1', sizeGiB: 64, tier: 'any' });
  });
});
