import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A job waiting to reach BullMQ, written in the same transaction as the change that implies it.
 * A relay publishes it with `id` as the job id, so publishing twice adds nothing.
 */
@Entity({ name: 'outbox' })
export class OutboxEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  queue!: string;

  @Column({ name: 'job_name', type: 'text' })
  jobName!: string;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'clock_timestamp()' })
  createdAt!: Date;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  /** Relays leave the row until then to its writer, which puts it on its queue itself; null: at once. */
  @Column({ name: 'relay_after', type: 'timestamptz', nullable: true })
  relayAfter!: Date | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;
}
