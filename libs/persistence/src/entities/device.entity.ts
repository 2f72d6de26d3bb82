import type { DeviceHealth, Tier } from '@mxs/topology';
import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'devices' })
export class DeviceEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  tier!: Tier;

  /** Extents must end at or before it: the `expansion_extents_within_device` trigger checks. */
  @Column({ name: 'capacity_gib', type: 'integer' })
  capacityGiB!: number;

  @Column({ type: 'text' })
  health!: DeviceHealth;

  @Column({ name: 'health_reason', type: 'text', nullable: true })
  healthReason!: string | null;

  /** The last health info the worker read from the device (media status, life used, errors…). */
  @Column({ type: 'jsonb', nullable: true })
  telemetry!: Record<string, unknown> | null;

  @Column({ name: 'telemetry_at', type: 'timestamptz', nullable: true })
  telemetryAt!: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
