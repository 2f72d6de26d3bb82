import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Hot-plug operations on one host run one at a time: the operation holding the lease runs. */
@Entity({ name: 'host_leases' })
export class HostLeaseEntity {
  @PrimaryColumn({ name: 'host_id', type: 'text' })
  hostId!: string;

  @Column({ name: 'operation_id', type: 'uuid' })
  operationId!: string;

  /** A crashed worker's lease lapses here; a live one keeps pushing it forward. */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
