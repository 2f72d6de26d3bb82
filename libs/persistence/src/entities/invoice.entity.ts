import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A tenant's bill for one UTC calendar month; lines are frozen once it is finalized. */
@Entity({ name: 'invoices' })
export class InvoiceEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  /** The first day of the month, `YYYY-MM-01`. */
  @Column({ type: 'date' })
  period!: string;

  @Column({ type: 'text' })
  status!: 'draft' | 'finalized';

  @Column({ type: 'text' })
  currency!: string;

  @Column({ name: 'charges_minor', type: 'bigint' })
  chargesMinor!: string;

  @Column({ name: 'credits_minor', type: 'bigint' })
  creditsMinor!: string;

  @Column({ name: 'total_minor', type: 'bigint' })
  totalMinor!: string;

  @Column({ type: 'jsonb' })
  lines!: unknown[];

  @Column({ type: 'jsonb' })
  uptime!: unknown[];

  @Column({ name: 'rated_at', type: 'timestamptz' })
  ratedAt!: Date;

  @Column({ name: 'finalized_at', type: 'timestamptz', nullable: true })
  finalizedAt!: Date | null;

  @Column({ name: 'finalized_by', type: 'text', nullable: true })
  finalizedBy!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
