import { Column, Entity, PrimaryColumn } from 'typeorm';

/** From `effectiveFrom` (a whole second) until the tenant's next assignment, it is on `planId`. */
@Entity({ name: 'tenant_plans' })
export class TenantPlanEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @PrimaryColumn({ name: 'effective_from', type: 'timestamptz' })
  effectiveFrom!: Date;

  @Column({ name: 'plan_id', type: 'text' })
  planId!: string;

  @Column({ name: 'assigned_at', type: 'timestamptz', default: () => 'now()' })
  assignedAt!: Date;
}
