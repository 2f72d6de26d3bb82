import type { ExpansionState } from '@mxs/contracts';
import type { Layout, RequestedTier } from '@mxs/policy';
import type { Tier } from '@mxs/topology';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'expansions' })
export class ExpansionEntity {
  /** Usually chosen by the API before the insert; left out, the database draws one. */
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_random_uuid()' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ name: 'vm_id', type: 'text' })
  vmId!: string;

  @Column({ name: 'host_id', type: 'text' })
  hostId!: string;

  @Column({ name: 'size_gib', type: 'integer' })
  sizeGiB!: number;

  /** What the tenant asked for; `placedTier` is what placement chose. */
  @Column({ type: 'text' })
  tier!: RequestedTier;

  @Column({ name: 'placed_tier', type: 'text', nullable: true })
  placedTier!: Tier | null;

  @Column({ type: 'text' })
  layout!: Layout;

  @Column({ name: 'interleave_ways', type: 'smallint', nullable: true })
  interleaveWays!: number | null;

  @Column({ name: 'max_added_latency_ns', type: 'integer', nullable: true })
  maxAddedLatencyNs!: number | null;

  @Column({ type: 'text' })
  state!: ExpansionState;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
