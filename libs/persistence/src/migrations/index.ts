import type { MigrationInterface } from 'typeorm';
import { Initial1763700000000 } from './1763700000000-Initial';
import { VmUnregister1763700100000 } from './1763700100000-VmUnregister';
import { Hotplug1763700200000 } from './1763700200000-Hotplug';
import { Billing1763700300000 } from './1763700300000-Billing';
import { LeaseRuns1763700400000 } from './1763700400000-LeaseRuns';
import { ExtentChanges1763700500000 } from './1763700500000-ExtentChanges';
import { OutboxWakeAfterCommit1763700600000 } from './1763700600000-OutboxWakeAfterCommit';
import { OutboxRelayAfter1763700700000 } from './1763700700000-OutboxRelayAfter';
import { OutboxPendingByExpansion1763700800000 } from './1763700800000-OutboxPendingByExpansion';
import { EnumDomains1763700900000 } from './1763700900000-EnumDomains';

/** Every migration, oldest first; a new one goes at the end and gets a new test template. */
export const MIGRATIONS: readonly (new () => MigrationInterface)[] = [Initial1763700000000, VmUnregister1763700100000, Hotplug1763700200000, Billing1763700300000, LeaseRuns1763700400000, ExtentChanges1763700500000, OutboxWakeAfterCommit1763700600000, OutboxRelayAfter1763700700000, OutboxPendingByExpansion1763700800000, EnumDomains1763700900000];
