import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Hot-plug operations on one host run one at a time: the operation holding the lease runs. */
@Entity({ name: 'host_leases' })
export class HostLeaseEntity {
  @PrimaryColumn({ name: 'host_id', type: 'text' })
  hostId!: string;

  @Column({ name: 'operation_id', type: 'uuid' })
  operationId!: string;

  /** The run of the saga holding it: a second run of the same operation waits like any other. */
  @Column({ name: 'run_id', type: 'uuid', nullable: true })
  runId!: string | null;

  /** A crashed worker's lease lapses here; a live one keeps pushing it forward. */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
