/// <reference types="jest" />
import { DataSource } from 'typeorm';
import type { ApiUnderTest, TestEnvironment } from './testing/api-harness';
import { createTestEnvironment, startApi } from './testing/api-harness';
import type { SeededTenant } from '@mxs/test-kit';
import { call, loadFleet, seedTenant } from '@mxs/test-kit';
import type { HostNeighbourhood } from './fleet/fleet-snapshot';
import type { NeighbourhoodQuery } from './fleet/fleet-reader';
import { FleetReader } from './fleet/fleet-reader';
import { FleetView } from './fleet/fleet-view';
import { sql } from './testing/expectations';

/** The real reader, whose answers can be held back after the query ran: a read that finishes late. */
class LateReader extends FleetReader {
  private gate: Promise<void> | null = null;

  holdNext(): () => void {
    let open = (): void => undefined;
    this.gate = new Promise((resolve) => {
      open = resolve;
    });
    return open;
  }

  override async neighbourhood(q: NeighbourhoodQuery): Promise<HostNeighbourhood> {
    const gate = this.gate;
    this.gate = null;
    const answer = await super.neighbourhood(q);
    await gate;
    return answer;
  }
}

// The view learns what changed on a host's devices since it last read them. Reads may finish
// out of order; an older one must not bring back what a newer one saw released.
describe('a fleet view fed by the changes on its devices', () => {
  let env: TestEnvironment;
  let api: ApiUnderTest;
  let acme: SeededTenant;

  beforeAll(async () => {
    env = await createTestEnvironment('view-feed');
    api = await startApi(env.env({ MXS_OUTBOX_RELAY: 'false' }));
    const { hostIds } = await loadFleet(api.url, 'small');
    acme = await seedTenant(api.url, 'acme', [hostIds[0] ?? '']);
  });

  afterAll(async () => {
    await api?.close();
    await env?.drop();
  });

  const place = async (key: string): Promise<string> => {
    const reply = await call(api.url, 'POST', `/v1/vms/${acme.vmIds[0] ?? ''}/expansions`, { key: acme.key, body: { sizeGiB: 64, tier: 'direct' }, headers: { 'idempotency-key': key } });
    expect(reply.status).toBe(202);
    return reply.body.id as string;
  };
  /** What the worker records once the fabric has released an expansion's memory. */
  const release = (id: string) => sql(api, `UPDATE expansion_extents SET live = false WHERE expansion_id = $1`, [id]);

  it('takes in what another replica placed and released, and never brings back what a later read saw released', async () => {
    const reader = new LateReader(api.app.get(DataSource));
    const view = new FleetView(reader);
    const vmId = acme.vmIds[0] ?? '';
    const held = async (id: string): Promise<boolean> => (await view.current())?.hasAllocation(id) ?? false;
    await view.prepare(vmId, 'acme', null);

    // Placed through another replica (the API's own view): this one learns it from the feed.
    const placed = await place('feed-1');
    expect(await held(placed)).toBe(false);
    await view.prepare(vmId, 'acme', null);
    expect(await held(placed)).toBe(true);
    await release(placed);
    await view.prepare(vmId, 'acme', null);
    expect(await held(placed)).toBe(false);

    // A read sees the next one live and finishes only after a later read has seen it released.
    const late = await place('feed-2');
    const open = reader.holdNext();
    const older = view.prepare(vmId, 'acme', null);
    await new Promise((resolve) => setTimeout(resolve, 200)); // its query has run by now
    await release(late);
    await view.prepare(vmId, 'acme', null);
    open();
    const context = await older;
    expect('fleet' in context).toBe(true);
    expect(await held(late)).toBe(false);
    // And the devices are current: a third placement is seen at once.
    const third = await place('feed-3');
    await view.prepare(vmId, 'acme', null);
    expect(await held(third)).toBe(true);
  });
});
