import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'vms' })
export class VmEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ name: 'host_id', type: 'text' })
  hostId!: string;

  @Column({ name: 'dram_gib', type: 'integer' })
  dramGiB!: number;

  @Column({ type: 'text', nullable: true })
  name!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Set when the compute service unregisters the VM; the row stays for history. */
  @Column({ name: 'unregistered_at', type: 'timestamptz', nullable: true })
  unregisteredAt!: Date | null;
}
