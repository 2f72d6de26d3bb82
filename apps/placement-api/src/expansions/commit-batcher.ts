import { preparedStatement, relayAfterSql } from '@mxs/messaging';

/**
 * A placement commits in one statement, in one round trip and without an explicit transaction.
 * It holds only if the VM is still this tenant's, registered on that host (the row is
 * share-locked, so an unregister waits for it and then sees the expansion), and the fleet
 * layout is the one decided on; the tenant's quota is reserved within its limit and everything
 * else derives from that, so a refusal of these changes nothing and returns no row. The host's
 * CFMWS window is the CHECK constraint hosts_mapped_within_window; overlapping or out-of-range
 * extents and a reused idempotency key are refused by their constraints.
 *
 * Placements decided at the same moment commit together: one statement and one WAL flush for
 * many, instead of one each. The whole batch is refused if any part of it is (an overlap, a
 * host window, a reused key, a deadlock with another replica); then, and for any placement the
 * batch left out (its tenant's quota, a stale VM or layout), each is committed on its own, so
 * every placement gets exactly the answer it would have had alone.
 *
 * The VMs are locked by an index probe each (LATERAL, fenced with OFFSET 0): the statement is
 * prepared, and its generic plan, made for a batch of unknown size, chose a hash join over a
 * scan of every VM for fleets of a few thousand (bench:api's 2,048: 0.3 ms of a 4 ms batch).
 *
 * The hot-add jobs' outbox rows are left to this process until `$4` ms have passed (null: not
 * at all): it puts them on the queue itself as soon as they are committed (publishNow).
 *
 * The batch travels as two JSON documents (placements, extents), not as a text array per
 * column: pg escapes every element of an array parameter with string replaces, and for the
 * answers and jobs that was an eighth of all the API allocated (bench:api's heap profile).
 */
export const COMMIT_BATCH = preparedStatement('mxs_commit_batch', `
WITH i AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb)
    AS i(id uuid, tenant_id text, vm_id text, host_id text, size_gib int, tier text, placed_tier text, layout text,
         interleave_ways int, max_added_latency_ns int, request_id text, created_at timestamptz, decision jsonb,
         operation_id uuid, job jsonb, idem_key text, request_hash text, response jsonb, layout_version int)
), vm AS (
  SELECT v.* FROM (SELECT DISTINCT vm_id FROM i) AS n
  CROSS JOIN LATERAL (SELECT id, tenant_id, host_id FROM vms WHERE id = n.vm_id AND unregistered_at IS NULL FOR SHARE OFFSET 0) AS v
), ok AS (
  SELECT i.* FROM i JOIN vm ON vm.id = i.vm_id AND vm.tenant_id = i.tenant_id AND vm.host_id = i.host_id
  WHERE i.layout_version = (SELECT version FROM fleet_layout WHERE id = 1)
), need AS (
  SELECT tenant_id, sum(size_gib)::int AS gib FROM ok GROUP BY tenant_id
), t AS (
  UPDATE tenants SET used_gib = used_gib + need.gib, updated_at = now() FROM need
  WHERE tenants.id = need.tenant_id AND tenants.used_gib + need.gib <= tenants.quota_gib RETURNING tenants.id
), placed AS (
  SELECT ok.* FROM ok WHERE ok.tenant_id IN (SELECT id FROM t)
), hneed AS (
  SELECT host_id, sum(size_gib)::int AS gib FROM placed GROUP BY host_id
), h AS (
  UPDATE hosts SET mapped_gib = mapped_gib + hneed.gib, updated_at = now() FROM hneed WHERE hosts.id = hneed.host_id RETURNING hosts.id
), e AS (
  INSERT INTO expansions (id, tenant_id, vm_id, host_id, size_gib, tier, placed_tier, layout,
    interleave_ways, max_added_latency_ns, state, request_id, created_at, updated_at)
  SELECT id, tenant_id, vm_id, host_id, size_gib, tier, placed_tier, layout, interleave_ways, max_added_latency_ns,
    'placed', request_id, created_at, created_at FROM placed RETURNING id
), x AS (
  INSERT INTO expansion_extents (expansion_id, device_id, offset_gib, size_gib)
  SELECT u.e, u.d, u.o, u.s FROM jsonb_to_recordset($2::jsonb) AS u(e uuid, d text, o int, s int)
  WHERE u.e IN (SELECT id FROM e)
), tr AS (
  INSERT INTO expansion_transitions (expansion_id, from_state, to_state, at, reason, request_id, detail)
  SELECT p.id, v.f, v.t, p.created_at, NULL, p.request_id, CASE WHEN v.t = 'placed' THEN p.decision END
  FROM placed p, (VALUES (1, NULL::text, 'requested'), (2, 'requested', 'placed')) AS v(n, f, t)
  WHERE p.id IN (SELECT id FROM e) ORDER BY p.id, v.n
), op AS (
  INSERT INTO operations (id, expansion_id, kind, request_id, created_at, updated_at)
  SELECT operation_id, id, 'hot-add', request_id, created_at, created_at FROM placed WHERE id IN (SELECT id FROM e)
), ob AS (
  INSERT INTO outbox (id, queue, job_name, payload, relay_after)
  SELECT operation_id, $3::text, 'hot-add', job, ${relayAfterSql('$4')} FROM placed WHERE id IN (SELECT id FROM e)
)
INSERT INTO idempotency_keys (tenant_id, key, request_hash, status_code, response, resource_id, created_at)
SELECT tenant_id, idem_key, request_hash, 202, response, id, created_at FROM placed WHERE id IN (SELECT id FROM e)
RETURNING resource_id`);
