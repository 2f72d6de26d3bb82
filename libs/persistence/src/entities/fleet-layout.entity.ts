import type { FleetSpec } from '@mxs/topology';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The one loaded fleet (row id 1): its hardware as `mxs-fleet/1`, with no VMs or allocations. */
@Entity({ name: 'fleet_layout' })
export class FleetLayoutEntity {
  @PrimaryColumn({ type: 'smallint' })
  id!: number;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'jsonb' })
  spec!: FleetSpec;

  @Column({ name: 'loaded_at', type: 'timestamptz', default: () => 'now()' })
  loadedAt!: Date;
}
