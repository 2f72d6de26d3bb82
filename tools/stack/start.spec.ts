/// <reference types="jest" />
// `npm start` itself, end to end: a database of its own, a Redis it has to start (REDIS_URL on a
// free port), a generated admin key; then SIGTERM, after which nothing it started may be left.
import type { TestDatabase } from '@mxs/persistence';
import { createTestDatabase } from '@mxs/persistence';
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, isPortFree, probeRedis } from './probes';

const root = join(__dirname, '..', '..');

function npmStart(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const chunks: string[] = [];
  const child = spawn('npm', ['start'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (c: Buffer) => chunks.push(c.toString()));
  child.stderr?.on('data', (c: Buffer) => chunks.push(c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => chunks.join(''), exited };
}

async function until(check: () => boolean, timeoutMs: number, what: string, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms; output:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('npm start', () => {
  let db: TestDatabase | undefined;
  afterAll(() => db?.drop());

  it('starts Redis, migrates, starts the simulator, API, worker and billing, seeds them, a first expansion goes active and is metered, and SIGTERM stops it all', async () => {
    db = await createTestDatabase('stack_start');
    const redisPort = await findFreePort();
    const apiPort = await findFreePort();
    const simPort = await findFreePort();
    const workerPort = await findFreePort();
    const billingPort = await findFreePort();
    const consoleDir = mkdtempSync(join(tmpdir(), 'mxs-start-console-'));
    const run = npmStart({
      MXS_CONSOLE_DIR: consoleDir,
      DATABASE_URL: db.url, REDIS_URL: `redis://127.0.0.1:${redisPort}`, PORT: String(apiPort), MXS_SIM_PORT: String(simPort),
      MXS_WORKER_PORT: String(workerPort), MXS_BILLING_PORT: String(billingPort), MXS_ADMIN_KEY: '', MXS_LOG_FORMAT: 'json',
    });
    try {
      await until(() => run.output().includes('Ctrl-C stops'), 120_000, 'the summary', run.output);
    } catch (error) {
      run.child.kill('SIGTERM');
      await run.exited;
      throw error;
    }
    const text = run.output();
    expect(text).toContain(`starting Redis (`);
    expect(text).toMatch(new RegExp(`placement-api\\s+http://127\\.0\\.0\\.1:${apiPort}\\n`));
    expect(text).toContain(`http://127.0.0.1:${apiPort}/docs`);
    const adminKey = /admin key\s+(\S+) {2}\(generated/.exec(text)?.[1] ?? '';
    const tenantKey = /demo tenant key\s+(\S+)/.exec(text)?.[1] ?? '';
    expect(adminKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tenantKey).toMatch(/^mxs_/);
    // pino's JSON lines come through whole, behind the app's name.
    expect(text).toMatch(/^placement-api +\| \{"level":\d+/m);

    const vms = await fetch(`http://127.0.0.1:${apiPort}/v1/vms`, { headers: { authorization: `Bearer ${tenantKey}` } });
    expect(vms.status).toBe(200);
    const vmItems = ((await vms.json()) as { items: { id: string }[] }).items;
    expect(vmItems).toHaveLength(3);
    // A newcomer's first expansion really goes active: the worker drives the simulated host.
    const tenantCall = (method: string, path: string, body?: unknown): Promise<Response> =>
      fetch(`http://127.0.0.1:${apiPort}${path}`, {
        method,
        headers: { authorization: `Bearer ${tenantKey}`, 'content-type': 'application/json', 'idempotency-key': 'first-expansion' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const created = await tenantCall('POST', `/v1/vms/${vmItems[0]?.id ?? ''}/expansions`, { sizeGiB: 4, tier: 'any' });
    expect(created.status).toBe(202);
    const expansionId = ((await created.json()) as { id: string }).id;
    let state = '';
    for (let i = 0; i < 300 && state !== 'active'; i++) {
      state = ((await (await tenantCall('GET', `/v1/expansions/${expansionId}`)).json()) as { state: string }).state;
      if (state !== 'active') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(state).toBe('active');
    // Billing meters it on the demo plan: the running month's estimate has a line for it.
    let lines: { expansionId: string | null; planId: string }[] = [];
    for (let i = 0; i < 100 && !lines.some((l) => l.expansionId === expansionId); i++) {
      const estimate = await fetch(`http://127.0.0.1:${billingPort}/v1/invoices/estimate`, { headers: { authorization: `Bearer ${tenantKey}` } });
      if (estimate.status === 200) lines = ((await estimate.json()) as { lines: typeof lines }).lines;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(lines).toContainEqual(expect.objectContaining({ expansionId, planId: 'demo' }));
    expect(text).toMatch(new RegExp(`billing\\s+http://127\\.0\\.0\\.1:${billingPort}\\n`));
    expect(text).toMatch(new RegExp(`hotplug-worker\\s+http://127\\.0\\.0\\.1:${workerPort}\\n`));
    const fleet = await fetch(`http://127.0.0.1:${apiPort}/admin/v1/fleet`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(fleet.status).toBe(200);
    // The console is built and served, and what it reaches through the API is wired: billing and the simulator.
    const page = await fetch(`http://127.0.0.1:${apiPort}/console/`);
    expect({ status: page.status, title: /<title>([^<]*)<\/title>/.exec(await page.text())?.[1] }).toEqual({ status: 200, title: 'mxs console' });
    expect(existsSync(join(consoleDir, 'index.html'))).toBe(true);
    const sla = await fetch(`http://127.0.0.1:${apiPort}/billing/admin/v1/sla`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(sla.status).toBe(200);
    const deviceId = ((await fleet.json()) as { devices: { id: string }[] }).devices[0]?.id ?? '';
    const fault = await fetch(`http://127.0.0.1:${apiPort}/admin/v1/faults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'device-restore', deviceId }),
    });
    expect(fault.status).toBe(200);
    expect(await probeRedis(`redis://127.0.0.1:${redisPort}`)).toEqual({ state: 'up' });

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('stopping: Redis started here');
    expect(run.output()).toMatch(/stopped\n/);
    expect(await isPortFree(apiPort)).toBe(true);
    expect(await isPortFree(simPort)).toBe(true);
    expect(await isPortFree(workerPort)).toBe(true);
    expect(await isPortFree(billingPort)).toBe(true);
    expect(await isPortFree(redisPort)).toBe(true);
    rmSync(consoleDir, { recursive: true, force: true });
  }, 180_000);

  it('exits 1 and says why when DATABASE_URL names a server that does not answer', () => {
    const run = spawnSync('npm', ['start'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: 'postgres://app@db.mxs-nowhere.invalid:5432/mxs' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('npm start failed (services-unavailable)');
    expect(run.stderr).toMatch(/PostgreSQL at postgres:\/\/app@db\.mxs-nowhere\.invalid:5432\/mxs \(DATABASE_URL\) does not answer/);
  }, 70_000);
});
