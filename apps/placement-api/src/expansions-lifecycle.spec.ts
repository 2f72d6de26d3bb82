/// <reference types="jest" />
import { expansionPageSchema, expansionSchema, expansionWithTimelineSchema } from './expansions/expansion.schemas';
import type { ApiUnderTest, TestEnvironment } from './testing/api-harness';
import { createTestEnvironment, startApi } from './testing/api-harness';
import type { SeededTenant } from '@mxs/test-kit';
import { call, loadFleet, seedTenant } from '@mxs/test-kit';
import { errorPaths, expectProblem, placeExpansion, requestExpansion, sql } from './testing/expectations';

// Reading and removing expansions: lists with filters and cursors, one with its timeline, DELETE.
describe('expansions after they are placed', () => {
  let env: TestEnvironment;
  let api: ApiUnderTest;
  let acme: SeededTenant;
  /** Ids of acme's expansions by VM, in creation order. */
  const placed = new Map<string, string[]>();

  const vm = (i: number): string => acme.vmIds[i] ?? '';
  const list = (query: string): ReturnType<typeof call> => call(api.url, 'GET', `/v1/expansions${query}`, { key: acme.key });

  beforeAll(async () => {
    env = await createTestEnvironment('expansions-lifecycle');
    api = await startApi(env.env());
    const { hostIds } = await loadFleet(api.url);
    acme = await seedTenant(api.url, 'acme', hostIds.slice(0, 2));
    // Both hosts online memory in 2 GiB blocks: sizes are even.
    for (let i = 0; i < 11; i++) {
      const vmId = vm(i % 2);
      const reply = await placeExpansion(api, acme, vmId, { sizeGiB: 2 * (1 + i), tier: 'any' });
      placed.set(vmId, [...(placed.get(vmId) ?? []), (reply.body as { id: string }).id]);
    }
  });

  afterAll(async () => {
    await api?.close();
    await env?.drop();
  });

  async function allPages(query: string, limit: number): Promise<{ ids: string[]; pages: number; createdAt: string[] }> {
    const ids: string[] = [];
    const createdAt: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const sep = query === '' ? '?' : '&';
      const page = await list(`${query === '' ? '' : `?${query}`}${sep}limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
      expect(page.status).toBe(200);
      const body = expansionPageSchema.parse(page.body);
      expect(body.items.length).toBeLessThanOrEqual(limit);
      ids.push(...body.items.map((e) => e.id));
      createdAt.push(...body.items.map((e) => e.createdAt));
      cursor = body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 50);
    return { ids, pages, createdAt };
  }

  it('pages through every expansion once, newest first, with no gaps and no duplicates', async () => {
    const everyId = [...placed.values()].flat();
    const { ids, pages, createdAt } = await allPages('', 3);
    expect(pages).toBe(4);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...everyId].sort());
    expect([...createdAt].sort().reverse()).toEqual(createdAt);
    // The default page holds them all, in the same order.
    const whole = await list('');
    expect((whole.body as { items: { id: string }[] }).items.map((e) => e.id)).toEqual(ids);
    expect((whole.body as { nextCursor: string | null }).nextCursor).toBeNull();
  });

  it('filters by VM and by state, across pages too', async () => {
    const byVm = await allPages(`vmId=${vm(1)}`, 2);
    expect([...byVm.ids].sort()).toEqual([...(placed.get(vm(1)) ?? [])].sort());
    const [first, second] = placed.get(vm(0)) ?? [];
    await sql(api, `UPDATE expansions SET state = 'active' WHERE id = ANY($1::uuid[])`, [[first, second]]);
    const active = await allPages('state=active', 1);
    expect([...active.ids].sort()).toEqual([first, second].sort());
    const both = await list(`?state=active&vmId=${vm(1)}`);
    expect(both.status).toBe(200);
    expect(both.body).toEqual({ items: [], nextCursor: null });
    const placedOnes = await allPages('state=placed', 5);
    expect(placedOnes.ids).toHaveLength(9);
    await sql(api, `UPDATE expansions SET state = 'placed' WHERE id = ANY($1::uuid[])`, [[first, second]]);
  });

  it('refuses a cursor it did not issue, and bad filters, with 400', async () => {
    for (const cursor of ['not-a-cursor', Buffer.from('["x"]').toString('base64url'), Buffer.from('["2024-01-01T00:00:00.000Z","nope"]').toString('base64url')]) {
      const problem = expectProblem(await list(`?cursor=${cursor}`), 400, 'invalid-cursor');
      expect(errorPaths(problem)).toEqual(['query.cursor']);
    }
    const bad = expectProblem(await list('?state=sleeping&limit=0&colour=red&vmId=bad%20id'), 400, 'validation-failed');
    expect(errorPaths(bad)).toEqual(['query.colour', 'query.limit', 'query.state', 'query.vmId']);
    expectProblem(await list('?limit=101'), 400, 'validation-failed');
    expectProblem(await list('?limit=two'), 400, 'validation-failed');
  });

  it('answers one expansion with its timeline of transitions, carrying the request id', async () => {
    const reply = await requestExpansion(api, acme, vm(0), { sizeGiB: 4, tier: 'direct' }, { requestId: 'req-timeline-1' });
    expect(reply.status).toBe(202);
    const id = (reply.body as { id: string }).id;
    const one = await call(api.url, 'GET', `/v1/expansions/${id}`, { key: acme.key });
    expect(one.status).toBe(200);
    const body = expansionWithTimelineSchema.parse(one.body);
    const { timeline, ...view } = body;
    expect(view).toEqual(reply.body);
    expect(timeline.map((t) => [t.from, t.to])).toEqual([
      [null, 'requested'],
      ['requested', 'placed'],
    ]);
    expect(timeline.every((t) => t.requestId === 'req-timeline-1')).toBe(true);
    expect(reply.headers.get('x-request-id')).toBe('req-timeline-1');
    expectProblem(await call(api.url, 'GET', '/v1/expansions/0b5a4c3e-8d1f-4a6b-9c2d-7e8f9a0b1c2d', { key: acme.key }), 404, 'expansion-not-found');
    expect(errorPaths(expectProblem(await call(api.url, 'GET', '/v1/expansions/not-a-uuid', { key: acme.key }), 400, 'validation-failed'))).toEqual(['params.id']);
  });

  it('DELETE starts the hot-remove (202, detaching), and a repeat answers the same', async () => {
    const id = placed.get(vm(0))?.[2] ?? '';
    const removed = await call(api.url, 'DELETE', `/v1/expansions/${id}`, { key: acme.key, headers: { 'x-request-id': 'req-remove-1' } });
    expect(removed.status).toBe(202);
    const body = expansionSchema.parse(removed.body);
    expect(body).toMatchObject({ id, state: 'detaching' });
    const again = await call(api.url, 'DELETE', `/v1/expansions/${id}`, { key: acme.key });
    expect(again.status).toBe(202);
    expect((again.body as { state: string }).state).toBe('detaching');
    const ops = await sql<{ kind: string; request_id: string }>(api, `SELECT kind, request_id FROM operations WHERE expansion_id = $1 ORDER BY created_at`, [id]);
    expect(ops).toEqual([
      { kind: 'hot-add', request_id: expect.any(String) },
      { kind: 'hot-remove', request_id: 'req-remove-1' },
    ]);
    // An API replica's clock a little ahead of the database's must not reorder the timeline.
    await sql(api, `UPDATE expansion_transitions SET at = at - interval '1 hour' WHERE expansion_id = $1 AND to_state = 'detaching'`, [id]);
    const timeline = (await call(api.url, 'GET', `/v1/expansions/${id}`, { key: acme.key })).body as { timeline: { to: string; requestId: string }[] };
    expect(timeline.timeline.map((t) => t.to)).toEqual(['requested', 'placed', 'detaching']);
    expect(timeline.timeline.at(-1)).toMatchObject({ to: 'detaching', requestId: 'req-remove-1' });
    // Capacity stays held until the fabric releases it.
    const [extents] = await sql<{ live: number }>(api, `SELECT count(*)::int AS live FROM expansion_extents WHERE expansion_id = $1 AND live`, [id]);
    expect(extents?.live).toBeGreaterThan(0);
  });

  it.each(['released', 'failed', 'rejected'])('DELETE of a %s expansion is a 409 naming its state', async (state) => {
    const ids = placed.get(vm(1)) ?? [];
    const id = ids[['released', 'failed', 'rejected'].indexOf(state)] ?? '';
    await sql(api, `UPDATE expansions SET state = $2 WHERE id = $1`, [id, state]);
    const problem = expectProblem(await call(api.url, 'DELETE', `/v1/expansions/${id}`, { key: acme.key }), 409, 'expansion-not-removable');
    expect(problem.state).toBe(state);
    const ops = await sql(api, `SELECT id FROM operations WHERE expansion_id = $1 AND kind = 'hot-remove'`, [id]);
    expect(ops).toHaveLength(0);
  });

  it('DELETE of an unknown expansion is a 404, of a malformed id a 400', async () => {
    expectProblem(await call(api.url, 'DELETE', '/v1/expansions/0b5a4c3e-8d1f-4a6b-9c2d-7e8f9a0b1c2d', { key: acme.key }), 404, 'expansion-not-found');
    expectProblem(await call(api.url, 'DELETE', '/v1/expansions/123', { key: acme.key }), 400, 'validation-failed');
  });
});
