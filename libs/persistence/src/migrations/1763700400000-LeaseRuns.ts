import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A host lease names the run of the saga that holds it, not only its operation: when BullMQ
 * hands a job whose lock lapsed (a starved worker) to a second worker, the second run must wait
 * for the first to finish or die, not join it on the same host.
 */
export class LeaseRuns1763700400000 implements MigrationInterface {
  name = 'LeaseRuns1763700400000';

  async up(q: QueryRunner): Promise<void> {
    // Leases are short-lived: one taken before this migration simply lapses or is released.
    await q.query(`ALTER TABLE host_leases ADD COLUMN run_id uuid NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE host_leases DROP COLUMN run_id`);
  }
}
