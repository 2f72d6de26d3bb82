import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the hot-plug worker keeps (DESIGN §5): a lease per host, so hot-plug operations on one
 * host run one at a time whatever the number of workers; saga timing on each operation; the
 * downtime of degraded expansions; devices' last telemetry; a tenant's re-placement choice.
 */
export class Hotplug1763700200000 implements MigrationInterface {
  name = 'Hotplug1763700200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE host_leases (
      host_id text PRIMARY KEY REFERENCES hosts (id),
      operation_id uuid NOT NULL,
      expires_at timestamptz NOT NULL
    )`);
    await q.query(`ALTER TABLE operations
      ADD COLUMN started_at timestamptz,
      ADD COLUMN finished_at timestamptz,
      ADD CONSTRAINT operations_state_check CHECK (state IN ('pending','running','compensating','done','failed','superseded'))`);
    await q.query(`CREATE INDEX operations_unfinished_idx ON operations (created_at) WHERE state IN ('pending','running','compensating')`);
    await q.query(`CREATE TABLE expansion_downtime (
      id bigserial PRIMARY KEY,
      expansion_id uuid NOT NULL REFERENCES expansions (id) ON DELETE CASCADE,
      started_at timestamptz NOT NULL,
      ended_at timestamptz,
      reason text NOT NULL,
      CONSTRAINT expansion_downtime_order CHECK (ended_at IS NULL OR ended_at >= started_at)
    )`);
    // At most one open downtime per expansion: a second failure report extends the same outage.
    await q.query(`CREATE UNIQUE INDEX expansion_downtime_open_idx ON expansion_downtime (expansion_id) WHERE ended_at IS NULL`);
    await q.query(`ALTER TABLE devices ADD COLUMN telemetry jsonb, ADD COLUMN telemetry_at timestamptz`);
    // NULL follows the fleet's setting (MXS_AUTO_REPLACE); true/false overrides it for the tenant.
    await q.query(`ALTER TABLE tenants ADD COLUMN auto_replace boolean`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tenants DROP COLUMN auto_replace`);
    await q.query(`ALTER TABLE devices DROP COLUMN telemetry, DROP COLUMN telemetry_at`);
    await q.query(`DROP TABLE expansion_downtime`);
    await q.query(`DROP INDEX operations_unfinished_idx`);
    await q.query(`ALTER TABLE operations DROP CONSTRAINT operations_state_check, DROP COLUMN started_at, DROP COLUMN finished_at`);
    await q.query(`DROP TABLE host_leases`);
  }
}
