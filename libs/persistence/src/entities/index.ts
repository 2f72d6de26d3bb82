import { DeviceEntity } from './device.entity';
import { ExpansionExtentEntity } from './expansion-extent.entity';
import { ExpansionTransitionEntity } from './expansion-transition.entity';
import { ExpansionDowntimeEntity } from './expansion-downtime.entity';
import { ExpansionEntity } from './expansion.entity';
import { FleetLayoutEntity } from './fleet-layout.entity';
import { HostLeaseEntity } from './host-lease.entity';
import { HostEntity } from './host.entity';
import { IdempotencyKeyEntity } from './idempotency-key.entity';
import { OperationEntity } from './operation.entity';
import { OutboxEntity } from './outbox.entity';
import { SwitchEntity } from './switch.entity';
import { TenantEntity } from './tenant.entity';
import { VmEntity } from './vm.entity';
import { InvoiceEntity } from './invoice.entity';
import { PlanEntity } from './plan.entity';
import { TenantPlanEntity } from './tenant-plan.entity';
import { UsageEventEntity } from './usage-event.entity';
import { UsageIntervalEntity } from './usage-interval.entity';

// Rows, not object graphs: foreign keys are plain id columns (the migration declares the
// constraints), so a query loads exactly what it names and no relation is fetched by surprise.
export type { OperationCheckpoint, OperationState, StepRecord } from './operation.entity';
export {
  DeviceEntity,
  ExpansionDowntimeEntity,
  ExpansionEntity,
  ExpansionExtentEntity,
  ExpansionTransitionEntity,
  FleetLayoutEntity,
  HostEntity,
  HostLeaseEntity,
  IdempotencyKeyEntity,
  OperationEntity,
  OutboxEntity,
  SwitchEntity,
  TenantEntity,
  VmEntity,
  InvoiceEntity,
  PlanEntity,
  TenantPlanEntity,
  UsageEventEntity,
  UsageIntervalEntity,
};

/** Every table the migrations create, for `DataSource({ entities })`. */
export const ENTITIES = [
  TenantEntity,
  FleetLayoutEntity,
  HostEntity,
  SwitchEntity,
  DeviceEntity,
  VmEntity,
  ExpansionEntity,
  ExpansionExtentEntity,
  ExpansionTransitionEntity,
  OperationEntity,
  OutboxEntity,
  IdempotencyKeyEntity,
  HostLeaseEntity,
  ExpansionDowntimeEntity,
  UsageEventEntity,
  UsageIntervalEntity,
  PlanEntity,
  TenantPlanEntity,
  InvoiceEntity,
] as const;
