import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Unregistering a VM keeps its row: its past expansions refer to it, and billing and the
 * timeline still need to say whose they were.
 */
export class VmUnregister1763700100000 implements MigrationInterface {
  name = 'VmUnregister1763700100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE vms ADD COLUMN unregistered_at timestamptz NULL`);
    await q.query(`CREATE INDEX vms_registered_by_tenant ON vms (tenant_id, id) WHERE unregistered_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX vms_registered_by_tenant`);
    await q.query(`ALTER TABLE vms DROP COLUMN unregistered_at`);
  }
}
