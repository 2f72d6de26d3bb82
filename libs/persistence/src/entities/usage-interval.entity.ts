import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A stretch of metered memory, rebuilt from the expansion's events whenever one arrives. */
@Entity({ name: 'usage_intervals' })
export class UsageIntervalEntity {
  @PrimaryColumn({ name: 'expansion_id', type: 'uuid' })
  expansionId!: string;

  @PrimaryColumn({ type: 'smallint' })
  seq!: number;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ type: 'text' })
  tier!: 'direct' | 'pooled';

  /** `charged` is billed; `degraded` is downtime and never billed. */
  @Column({ type: 'text' })
  kind!: 'charged' | 'degraded';

  @Column({ name: 'size_gib', type: 'integer' })
  sizeGiB!: number;

  /** Epoch seconds (bigint, read back as a string). */
  @Column({ name: 'start_sec', type: 'bigint' })
  startSec!: string;

  /** Open (null) while the expansion is still in this state. */
  @Column({ name: 'end_sec', type: 'bigint', nullable: true })
  endSec!: string | null;
}
