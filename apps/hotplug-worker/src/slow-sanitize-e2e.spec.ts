/// <reference types="jest" />
import { TestStack } from './testing/stack';

// Real time for the simulator, with a scrub of 150 ms per GiB: a 4 GiB release takes 0.6 s.
const SANITIZE = JSON.stringify({ sanitizePerGiB: { medianMs: 150, sigma: 0, tailProbability: 0, tailAlpha: 2 } });

let stack: TestStack;

beforeAll(async () => {
  stack = await TestStack.start('slow-sanitize', { simEnv: { MXS_SIM_TIME_SCALE: '1', MXS_SIM_DURATIONS: SANITIZE } });
  await stack.startWorker({ MXS_SANITIZE_MS_PER_GIB: '1000' });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

it('keeps the capacity unavailable while the fabric scrubs it, and frees it only after', async () => {
  const created = await stack.requestExpansion(stack.tenant.vmIds[0] as string, { sizeGiB: 4, tier: 'direct' });
  const id = created.body.id as string;
  const deviceId = (created.body.extents as { deviceId: string }[])[0]?.deviceId as string;
  await stack.expansionReaches(id, ['active']);
  await stack.removeExpansion(id);

  // Catch the scrub in the act: the device says sanitizing, and the database still holds the range.
  let seenWhileSanitizing: { state: string; live: number } | null = null;
  for (let i = 0; i < 400 && seenWhileSanitizing === null; i++) {
    const device = await stack.sim.device(deviceId);
    if (device.extents.some((e) => e.expansionId === id && e.state === 'sanitizing')) {
      const [row] = await stack.sql<{ state: string; live: number }>(
        `SELECT e.state, (SELECT count(*)::int FROM expansion_extents x WHERE x.expansion_id = e.id AND x.live) AS live FROM expansions e WHERE e.id = $1`,
        [id],
      );
      seenWhileSanitizing = row ?? null;
    } else {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  expect(seenWhileSanitizing).toEqual({ state: 'detaching', live: 1 });

  await stack.expansionReaches(id, ['released']);
  expect((await stack.sim.device(deviceId)).extents.filter((e) => e.expansionId === id)).toEqual([]);
  const [after] = await stack.sql<{ live: number }>(`SELECT count(*) FILTER (WHERE live)::int AS live FROM expansion_extents WHERE expansion_id = $1`, [id]);
  expect(after?.live).toBe(0);
});
