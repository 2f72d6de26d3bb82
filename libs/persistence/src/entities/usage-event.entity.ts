import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A usage event billing has claimed: its id is the claim, written with the event's effect. */
@Entity({ name: 'usage_events' })
export class UsageEventEntity {
  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ name: 'expansion_id', type: 'uuid' })
  expansionId!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'text' })
  tier!: 'direct' | 'pooled';

  @Column({ name: 'size_gib', type: 'integer' })
  sizeGiB!: number;

  /** When it happened on the host, not when billing heard of it. */
  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ name: 'vm_id', type: 'text' })
  vmId!: string;

  @Column({ name: 'host_id', type: 'text' })
  hostId!: string;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;
}
