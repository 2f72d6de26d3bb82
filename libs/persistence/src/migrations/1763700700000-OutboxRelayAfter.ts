import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `outbox.relay_after`: a row its writer puts on its queue itself, right after its commit
 * (OutboxRelay.publishNow), is left to that writer until then. Relay passes took such rows in
 * the moment between the writer's add and its mark, added them a second time and held their
 * row locks over the Redis round trip, and the writer's mark waited on those locks. A writer
 * that dies before it publishes leaves the row to the relays once the time has passed.
 */
export class OutboxRelayAfter1763700700000 implements MigrationInterface {
  name = 'OutboxRelayAfter1763700700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox ADD COLUMN relay_after timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox DROP COLUMN relay_after`);
  }
}
