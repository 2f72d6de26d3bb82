import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * No NOTIFY from inside the transactions that write the outbox. PostgreSQL queues a NOTIFY at
 * commit under one lock per database, held until the commit is flushed, so every transaction
 * that wrote an outbox row (each placement batch, DELETE and saga ending) committed in single
 * file, holding its row locks while it waited: under load, saga endings waited 14 ms on
 * average, most of it behind that lock. A process that writes the outbox wakes its own relay;
 * one that does not relay notifies the others after it commits (OutboxRelay.kick).
 */
export class OutboxWakeAfterCommit1763700600000 implements MigrationInterface {
  name = 'OutboxWakeAfterCommit1763700600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER outbox_notify ON outbox`);
    await q.query(`DROP FUNCTION outbox_notify()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_notify('mxs_outbox', '');
    RETURN NULL;
  END
  $$`);
    await q.query(`CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()`);
  }
}
