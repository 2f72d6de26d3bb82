/// <reference types="jest" />
import { waitFor } from '@mxs/test-kit';
import { randomUUID } from 'node:crypto';
import { MeterStore } from './metering/meter-store';
import type { BillingUnderTest, TestEnvironment } from './testing/billing-harness';
import { createBillingEnvironment, insertTenant, intervalsOf, publishUsageEvents, startBilling, usageEvent } from './testing/billing-harness';

let env: TestEnvironment;
let billing: BillingUnderTest;
let store: MeterStore;

beforeAll(async () => {
  env = await createBillingEnvironment('metering');
  billing = await startBilling(env.env({ MXS_METER_BATCH: '50' }));
  store = billing.app.get(MeterStore);
  for (const t of ['t-queue', 't-dup', 't-order', 't-fail']) await insertTenant(billing.db, t);
});

afterAll(async () => {
  await billing?.close();
  await env?.drop();
});

const sec = (iso: string): number => Date.parse(iso) / 1000;

describe('metering usage events', () => {
  it('turns events from the usage-events queue into intervals: charged, degraded kept apart, closed on release', async () => {
    const expansionId = randomUUID();
    const base = { expansionId, tenantId: 't-queue' };
    await publishUsageEvents(env.queuePrefix, [
      usageEvent({ ...base, type: 'expansion.activated', at: '2026-03-01T10:00:00.250Z', sizeGiB: 32 }),
      usageEvent({ ...base, type: 'expansion.degraded', at: '2026-03-01T11:00:00.000Z', sizeGiB: 32 }),
      usageEvent({ ...base, type: 'expansion.restored', at: '2026-03-01T11:05:00.999Z', sizeGiB: 32 }),
      usageEvent({ ...base, type: 'expansion.released', at: '2026-03-01T12:00:00.000Z' }),
    ]);
    await waitFor('the four events metered', async () => typeof (await intervalsOf(billing.db, 't-queue')).at(2)?.endSec === 'number', 10_000);
    expect(await intervalsOf(billing.db, 't-queue')).toEqual([
      { expansionId, seq: 0, kind: 'charged', sizeGiB: 32, startSec: sec('2026-03-01T10:00:00Z'), endSec: sec('2026-03-01T11:00:00Z') },
      { expansionId, seq: 1, kind: 'degraded', sizeGiB: 32, startSec: sec('2026-03-01T11:00:00Z'), endSec: sec('2026-03-01T11:05:00Z') },
      { expansionId, seq: 2, kind: 'charged', sizeGiB: 32, startSec: sec('2026-03-01T11:05:00Z'), endSec: sec('2026-03-01T12:00:00Z') },
    ]);
  });

  it('claims an event once: a duplicate, in the same batch or later, changes nothing and says so', async () => {
    const expansionId = randomUUID();
    const activated = usageEvent({ expansionId, tenantId: 't-dup', type: 'expansion.activated', at: '2026-03-02T00:00:00Z' });
    const first = await store.meter([activated, activated]);
    expect(first.get(activated.eventId)).toBe('claimed');
    const before = await intervalsOf(billing.db, 't-dup');
    const again = await store.meter([activated]);
    expect(again.get(activated.eventId)).toBe('duplicate');
    expect(await intervalsOf(billing.db, 't-dup')).toEqual(before);
    const claims: { n: string }[] = await billing.db.query(`SELECT count(*) AS n FROM usage_events WHERE event_id = $1`, [activated.eventId]);
    expect(Number(claims[0]?.n)).toBe(1);
  });

  it('gives the same intervals when events arrive out of order and late', async () => {
    const expansionId = randomUUID();
    const base = { expansionId, tenantId: 't-order' };
    const released = usageEvent({ ...base, type: 'expansion.released', at: '2026-03-03T05:00:00Z' });
    const degraded = usageEvent({ ...base, type: 'expansion.degraded', at: '2026-03-03T02:00:00Z' });
    const activated = usageEvent({ ...base, type: 'expansion.activated', at: '2026-03-03T01:00:00Z' });
    const restored = usageEvent({ ...base, type: 'expansion.restored', at: '2026-03-03T03:00:00Z' });
    await store.meter([released]);
    expect(await intervalsOf(billing.db, 't-order')).toEqual([]); // nothing is metered before the activation is known
    await store.meter([degraded, activated]);
    await store.meter([restored]);
    expect((await intervalsOf(billing.db, 't-order')).map((i) => [i.kind, i.startSec, i.endSec])).toEqual([
      ['charged', sec('2026-03-03T01:00:00Z'), sec('2026-03-03T02:00:00Z')],
      ['degraded', sec('2026-03-03T02:00:00Z'), sec('2026-03-03T03:00:00Z')],
      ['charged', sec('2026-03-03T03:00:00Z'), sec('2026-03-03T05:00:00Z')],
    ]);
  });

  it('leaves an event unclaimed when writing its effect fails, and claims it on the retry', async () => {
    const expansionId = randomUUID();
    const event = usageEvent({ expansionId, tenantId: 't-fail', type: 'expansion.activated', at: '2026-03-04T00:00:00Z' });
    // A real failure inside the transaction, after the claim's INSERT: the interval write is refused.
    await billing.db.query(`CREATE FUNCTION refuse_interval() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$`);
    await billing.db.query(`CREATE TRIGGER refuse_interval BEFORE INSERT ON usage_intervals FOR EACH ROW WHEN (NEW.tenant_id = 't-fail') EXECUTE FUNCTION refuse_interval()`);
    await expect(store.meter([event])).rejects.toThrow(/disk full/);
    const claims: { n: string }[] = await billing.db.query(`SELECT count(*) AS n FROM usage_events WHERE event_id = $1`, [event.eventId]);
    expect(Number(claims[0]?.n)).toBe(0);
    await billing.db.query(`DROP TRIGGER refuse_interval ON usage_intervals`);
    expect((await store.meter([event])).get(event.eventId)).toBe('claimed');
    expect(await intervalsOf(billing.db, 't-fail')).toHaveLength(1);
  });
});
