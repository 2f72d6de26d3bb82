/// <reference types="jest" />
import { TestStack } from './testing/stack';

// Real time, with a scrub of 400 ms per GiB: an 8 GiB release takes over 3 s, long enough to stop a worker in.
const SANITIZE = JSON.stringify({ sanitizePerGiB: { medianMs: 400, sigma: 0, tailProbability: 0, tailAlpha: 2 } });

let stack: TestStack;

beforeAll(async () => {
  stack = await TestStack.start('shutdown', { simEnv: { MXS_SIM_TIME_SCALE: '1', MXS_SIM_DURATIONS: SANITIZE } });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

async function sanitizing(expansionId: string, deviceId: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if ((await stack.sim.device(deviceId)).extents.some((e) => e.expansionId === expansionId && e.state === 'sanitizing')) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the release never started');
}

it('SIGTERM mid-saga: the worker stops taking jobs, exits cleanly past its grace, and the next one finishes the saga from its checkpoint', async () => {
  const first = await stack.spawnWorker({ MXS_SHUTDOWN_GRACE_MS: '200', MXS_SANITIZE_MS_PER_GIB: '2000' });
  const created = await stack.requestExpansion(stack.tenant.vmIds[0] as string, { sizeGiB: 8, tier: 'direct' });
  const id = created.body.id as string;
  const deviceId = (created.body.extents as { deviceId: string }[])[0]?.deviceId as string;
  await stack.expansionReaches(id, ['active']);
  await stack.removeExpansion(id);
  await sanitizing(id, deviceId);

  const stoppedAt = Date.now();
  await first.stop(20_000);
  // Nest re-raises the signal once everything is closed; a SIGKILL (our fallback) would say otherwise.
  expect([first.process.exitCode, first.process.signalCode]).toEqual([null, 'SIGTERM']);
  expect(Date.now() - stoppedAt).toBeLessThan(15_000);
  expect(first.logs()).toContain('SIGTERM received');
  expect(first.logs()).not.toContain('shutdown still running');
  // Stopped at a checkpoint: the three steps before the release are recorded, the release is not.
  const [op] = await stack.sql<{ state: string; steps: string[] }>(
    `SELECT state, ARRAY(SELECT jsonb_object_keys(checkpoint->'steps') ORDER BY 1) AS steps FROM operations WHERE expansion_id = $1 AND kind = 'hot-remove'`,
    [id],
  );
  expect(op).toEqual({ state: 'running', steps: ['host-destroy', 'host-offline', 'vm-unplug'] });
  expect((await stack.expansion(id)).body.state).toBe('detaching');

  await stack.spawnWorker({ MXS_SANITIZE_MS_PER_GIB: '2000' });
  await stack.expansionReaches(id, ['released'], 60_000);
  const { events } = await stack.sim.events({ expansionId: id });
  expect(events.filter((e) => e.kind === 'extents-release-started')).toHaveLength(1);
  expect(events.filter((e) => e.kind === 'extents-freed')).toHaveLength(1);
  expect(events.filter((e) => e.kind === 'region-offlined')).toHaveLength(1);
});
