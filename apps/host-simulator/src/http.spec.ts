/// <reference types="jest" />
import type { HostAgentErrorCode } from '@mxs/host-agent';
import { HostAgentError, HttpHostAgent, isHostAgentError } from '@mxs/host-agent';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimHarness } from './testing/harness';
import { TEST_TOKEN, startSimulator } from './testing/harness';

async function codeOf(run: () => Promise<unknown>): Promise<HostAgentErrorCode | 'none'> {
  try {
    await run();
  } catch (error) {
    if (isHostAgentError(error)) return error.code;
    throw error;
  }
  return 'none';
}

const req = { expansionId: 'exp-1', hostId: 'host-a' };

describe('host simulator over HTTP (time scale 0)', () => {
  let t: SimHarness;
  beforeAll(async () => {
    t = await startSimulator({ MXS_SIM_STATE_FILE: join(mkdtempSync(join(tmpdir(), 'mxs-sim-')), 'state.json') });
  });
  afterAll(async () => {
    await t.close();
  });

  it('runs the whole add and remove through HttpHostAgent, and the events say each step ran once', async () => {
    const { agent, control } = t;
    await agent.offerExtents({ ...req, extents: [{ deviceId: 'pool-1', offsetGiB: 0, sizeGiB: 2 }, { deviceId: 'direct-a', offsetGiB: 0, sizeGiB: 2 }] });
    await agent.acceptExtents(req);
    await agent.acceptExtents(req);
    expect(await agent.onlineRegion({ ...req, sizeGiB: 4 })).toEqual({ done: true, onlineBlocks: 32, totalBlocks: 32 });
    expect(await agent.plugVmMemory({ ...req, vmId: 'vm-1', sizeGiB: 4 })).toEqual({ done: true, requestedGiB: 4, pluggedGiB: 4 });
    expect(await control.vm('host-a', 'vm-1')).toMatchObject({ requestedGiB: 4, pluggedGiB: 4 });
    const host = await agent.hostState('host-a');
    expect(host.regions).toMatchObject([{ expansionId: 'exp-1', state: 'online' }]);
    expect(host.extents).toHaveLength(2);

    expect((await agent.unplugVmMemory({ ...req, vmId: 'vm-1' })).done).toBe(true);
    expect((await agent.offlineRegion(req)).done).toBe(true);
    await agent.destroyRegion(req);
    expect(await agent.releaseExtents(req)).toEqual({ done: true });
    expect((await agent.deviceState('pool-1')).extents).toEqual([]);
    const { events } = await control.events({ expansionId: 'exp-1' });
    const counts = new Map<string, number>();
    for (const e of events) counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
    expect(counts.get('extents-offered')).toBe(2);
    expect(counts.get('extents-accepted')).toBe(1);
    expect(counts.get('extents-freed')).toBe(2);
    expect([...counts.values()].filter((n) => n > 2)).toEqual([]);
  });

  it('maps the simulator\'s problems to HostAgentError codes with the transient flag', async () => {
    const { agent, control } = t;
    expect(await codeOf(() => agent.acceptExtents({ expansionId: 'exp-none', hostId: 'host-a' }))).toBe('not-found');
    expect(await codeOf(() => agent.hostState('host-zz'))).toBe('not-found');
    expect(await codeOf(() => agent.offerExtents({ expansionId: 'exp-c', hostId: 'host-c', extents: [{ deviceId: 'pool-1', offsetGiB: 0, sizeGiB: 1 }] }))).toBe('conflict');
    await control.injectFault({ kind: 'host-crash', hostId: 'host-b' });
    const down = await agent.onlineRegion({ expansionId: 'exp-2', hostId: 'host-b', sizeGiB: 1 }).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(HostAgentError);
    expect(down).toMatchObject({ code: 'host-down', transient: true });
    await control.injectFault({ kind: 'host-restart', hostId: 'host-b' });
    await control.injectFault({ kind: 'device-fail', deviceId: 'pool-2' });
    expect(await codeOf(() => agent.offerExtents({ expansionId: 'exp-3', hostId: 'host-b', extents: [{ deviceId: 'pool-2', offsetGiB: 0, sizeGiB: 1 }] }))).toBe('device-failed');
    expect((await agent.deviceHealth('pool-2')).mediaStatus).toBe('failed');
    await control.injectFault({ kind: 'device-restore', deviceId: 'pool-2' });
    await control.injectFault({ kind: 'link-down', switchId: 'sw-1', hostId: 'host-b' });
    expect(await codeOf(() => agent.offerExtents({ expansionId: 'exp-3', hostId: 'host-b', extents: [{ deviceId: 'pool-1', offsetGiB: 0, sizeGiB: 1 }] }))).toBe('link-down');
    await control.injectFault({ kind: 'link-up', switchId: 'sw-1', hostId: 'host-b' });
  });

  it('refuses a missing or wrong token with 401 problem+json, but /health answers without one', async () => {
    const noToken = await fetch(`${t.baseUrl}/hosts/host-a`);
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get('content-type')).toBe('application/problem+json');
    const wrong = new HttpHostAgent({ baseUrl: t.baseUrl, token: 'wrong-token-0123456789' });
    expect(await codeOf(() => wrong.hostState('host-a'))).toBe('unauthorized');
    wrong.close();
    expect((await fetch(`${t.baseUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${t.baseUrl}/health`)).status).toBe(200);
    const metrics = await fetch(`${t.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    expect(await metrics.text()).toContain('mxs_sim_operations_total{operation="offer-extents",outcome="accepted"}');
  });

  it('answers bad input with 400 and the fields at fault, never a 5xx', async () => {
    const headers = { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' };
    const post = (path: string, body: unknown) => fetch(`${t.baseUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const bad = await post('/fabric/devices/pool-1/extents', { expansionId: '', hostId: 'host-a', extents: [{ offsetGiB: -1, sizeGiB: 0 }], extra: 1 });
    expect(bad.status).toBe(400);
    const paths = ((await bad.json()) as { errors: { path: string }[] }).errors.map((e) => e.path).sort();
    expect(paths).toEqual(['body.expansionId', 'body.extents[0].offsetGiB', 'body.extents[0].sizeGiB', 'body.extra']);
    expect((await post('/sim/faults', { kind: 'meteor' })).status).toBe(400);
    expect((await post('/hosts/host-a/regions/exp-1/online?waitMs=-5', { sizeGiB: 1 })).status).toBe(400);
    const fleet = await fetch(`${t.baseUrl}/sim/fleet`, { method: 'PUT', headers, body: JSON.stringify({ format: 'mxs-fleet/1', name: 'x' }) });
    expect(fleet.status).toBe(400);
    expect(await codeOf(() => t.agent.onlineRegion({ ...req, sizeGiB: 0 }))).toBe('bad-request');
  });

  it('saves the state to its file and loads it back', async () => {
    const { agent, control } = t;
    await agent.offerExtents({ expansionId: 'exp-keep', hostId: 'host-b', extents: [{ deviceId: 'pool-1', offsetGiB: 100, sizeGiB: 1 }] });
    await control.saveState();
    await agent.acceptExtents({ expansionId: 'exp-keep', hostId: 'host-b' });
    await control.loadState();
    const host = await agent.hostState('host-b');
    expect(host.extents).toEqual([{ deviceId: 'pool-1', offsetGiB: 100, sizeGiB: 1, expansionId: 'exp-keep', accepted: false }]);
    const whole = await control.state();
    await agent.acceptExtents({ expansionId: 'exp-keep', hostId: 'host-b' });
    await control.putState(whole);
    expect((await agent.hostState('host-b')).extents[0]?.accepted).toBe(false);
  });
});

describe('long-poll at real time scale', () => {
  let t: SimHarness;
  beforeAll(async () => {
    const slow = { medianMs: 1, sigma: 0, tailProbability: 0, tailAlpha: 2 };
    const instant = { ...slow, medianMs: 0 };
    const durations = { onlinePerBlock: slow, offerPerCall: instant, acceptPerCall: instant, plugPerBlock: instant, unplugPerBlock: instant, offlinePerBlock: instant };
    t = await startSimulator({ MXS_SIM_TIME_SCALE: '1', MXS_SIM_DURATIONS: JSON.stringify(durations) });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers pending at once without waitMs, and holds the request until done with it', async () => {
    const { agent } = t;
    await agent.offerExtents({ ...req, extents: [{ deviceId: 'pool-1', offsetGiB: 0, sizeGiB: 64 }] });
    await agent.acceptExtents(req);
    const first = await agent.onlineRegion({ ...req, sizeGiB: 64 });
    expect(first.done).toBe(false);
    expect(first).toMatchObject({ detail: expect.stringMatching(/onlining memory blocks/) });
    const waited = await agent.onlineRegion({ ...req, sizeGiB: 64 }, { waitMs: 10_000 });
    expect(waited).toEqual({ done: true, onlineBlocks: 512, totalBlocks: 512 });
  });

  it('gives up at the end of the wait when the step cannot finish, and honours an abort', async () => {
    const { agent, control } = t;
    await agent.plugVmMemory({ ...req, vmId: 'vm-1', sizeGiB: 64 }, { waitMs: 10_000 });
    await agent.unplugVmMemory({ ...req, vmId: 'vm-1' }, { waitMs: 10_000 });
    await control.injectFault({ kind: 'stuck-offline', ...req });
    const stuck = await agent.offlineRegion(req, { waitMs: 50 });
    expect(stuck).toMatchObject({ done: false, onlineBlocks: 1 });
    const controller = new AbortController();
    const aborted = agent.offlineRegion(req, { waitMs: 10_000, signal: controller.signal });
    controller.abort(new Error('caller gave up'));
    await expect(aborted).rejects.toThrow('caller gave up');
  });

  it('stops holding a long-poll whose client went away, at its next look', async () => {
    const { agent } = t;
    const other = { expansionId: 'exp-gone', hostId: 'host-a' };
    await agent.offerExtents({ ...other, extents: [{ deviceId: 'pool-1', offsetGiB: 64, sizeGiB: 64 }] });
    await agent.acceptExtents(other);
    const before = await onlineOutcomes();
    // 512 blocks at 1 ms each: the server looks again after 250 ms, and would answer `done` at 512 ms.
    const controller = new AbortController();
    const held = agent.onlineRegion({ ...other, sizeGiB: 64 }, { waitMs: 10_000, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('caller gave up')), 20);
    await expect(held).rejects.toThrow('caller gave up');
    let after = await onlineOutcomes();
    for (let tries = 0; after.pending === before.pending && after.done === before.done && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      after = await onlineOutcomes();
    }
    expect(after).toEqual({ pending: before.pending + 1, done: before.done });
  });

  /** The simulator's count of online-region calls answered pending and done. */
  async function onlineOutcomes(): Promise<{ pending: number; done: number }> {
    const text = await (await fetch(`${t.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).text();
    const count = (outcome: string): number => Number(new RegExp(`mxs_sim_operations_total\\{operation="online-region",outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    return { pending: count('pending'), done: count('done') };
  }
});
