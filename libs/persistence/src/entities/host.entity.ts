import type { HostState } from '@mxs/topology';
import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'hosts' })
export class HostEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  state!: HostState;

  /** The most CXL memory the host can map; `mappedGiB` never passes it (a CHECK says so). */
  @Column({ name: 'cfmws_window_gib', type: 'integer' })
  cfmwsWindowGiB!: number;

  @Column({ name: 'mapped_gib', type: 'integer', default: 0 })
  mappedGiB!: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
