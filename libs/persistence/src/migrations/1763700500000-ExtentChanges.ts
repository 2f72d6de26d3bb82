import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each extent row names the transaction that last changed it (`changed_xid`: the one that
 * placed it, then the one that released it), indexed per device. A placement API's view of the
 * fleet asks, per device, for the rows changed since the snapshot it last read that device at,
 * instead of sending every allocation it holds there to be compared with every live one: the
 * answer and its cost grow with what changed, not with what is allocated.
 */
export class ExtentChanges1763700500000 implements MigrationInterface {
  name = 'ExtentChanges1763700500000';

  async up(q: QueryRunner): Promise<void> {
    // Rows that exist now are dated by this migration's transaction: a view loaded before it
    // sees them as changes once, which it already holds.
    await q.query(`ALTER TABLE expansion_extents ADD COLUMN changed_xid xid8 NOT NULL DEFAULT pg_current_xact_id()`);
    await q.query(`CREATE INDEX expansion_extents_device_changes_idx ON expansion_extents (device_id, changed_xid) INCLUDE (expansion_id, live)`);
    // Its only reader was the neighbourhood read; a device's live extents are still found by
    // device through the exclusion constraint's GiST index, and every placement wrote this one.
    await q.query(`DROP INDEX expansion_extents_live_device_idx`);
    // Whatever releases an extent dates the change: no statement can forget to.
    await q.query(`CREATE FUNCTION expansion_extents_changed() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    NEW.changed_xid := pg_current_xact_id();
    RETURN NEW;
  END
  $$`);
    await q.query(`CREATE TRIGGER expansion_extents_changed BEFORE UPDATE OF live ON expansion_extents
    FOR EACH ROW WHEN (OLD.live IS DISTINCT FROM NEW.live) EXECUTE FUNCTION expansion_extents_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER expansion_extents_changed ON expansion_extents`);
    await q.query(`DROP FUNCTION expansion_extents_changed()`);
    await q.query(`CREATE INDEX expansion_extents_live_device_idx ON expansion_extents (device_id) WHERE live`);
    await q.query(`DROP INDEX expansion_extents_device_changes_idx`);
    await q.query(`ALTER TABLE expansion_extents DROP COLUMN changed_xid`);
  }
}
