import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A price list: per-tier graduated GiB-hour prices, a minimum, and how SLA credits are counted. */
@Entity({ name: 'plans' })
export class PlanEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ type: 'jsonb' })
  prices!: Record<string, { upToGiBHours: number | null; unitPrice: string }[]>;

  @Column({ name: 'minimum_commit_minor', type: 'bigint', default: 0 })
  minimumCommitMinor!: string;

  @Column({ name: 'credit_scope', type: 'text' })
  creditScope!: 'expansion' | 'tenant';

  @Column({ name: 'credit_tiers', type: 'jsonb' })
  creditTiers!: { belowUptimePct: string; creditPct: number }[];

  @Column({ name: 'is_default', type: 'boolean', default: false })
  isDefault!: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
