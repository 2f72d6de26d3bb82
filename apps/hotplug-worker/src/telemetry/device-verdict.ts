import type { DeviceHealthInfo } from '@mxs/host-agent';
import type { DeviceHealth } from '@mxs/topology';

/** Where a healthy device turns `degraded` for placement (each "at or above"). */
export interface HealthThresholds {
  readonly lifeUsedPct: number;
  /** Volatile plus persistent corrected errors, as the device counts them. */
  readonly correctedErrors: number;
  readonly poisonRecords: number;
}

export const DEFAULT_THRESHOLDS: HealthThresholds = { lifeUsedPct: 90, correctedErrors: 1000, poisonRecords: 1 };

/** What telemetry says the device's health should be, and why, in the operator's words. */
export interface Verdict {
  readonly health: Extract<DeviceHealth, 'healthy' | 'degraded' | 'failed'>;
  readonly reason: string | null;
}

/** Media states after which the memory behind the device cannot be trusted at all. */
const FAILED_MEDIA: readonly DeviceHealthInfo['mediaStatus'][] = ['failed', 'data-lost'];

export function verdictOf(info: DeviceHealthInfo, failedFlag: boolean, t: HealthThresholds): Verdict {
  if (failedFlag || FAILED_MEDIA.includes(info.mediaStatus)) return { health: 'failed', reason: `media status ${info.mediaStatus === 'normal' ? 'failed' : info.mediaStatus}` };
  const why: string[] = [];
  if (info.mediaStatus !== 'normal') why.push(`media status ${info.mediaStatus}`);
  if (info.lifeUsedPct >= t.lifeUsedPct) why.push(`life used ${round(info.lifeUsedPct)}% ≥ ${t.lifeUsedPct}%`);
  const corrected = info.correctedVolatileErrors + info.correctedPersistentErrors;
  if (corrected >= t.correctedErrors) why.push(`corrected errors ${corrected} ≥ ${t.correctedErrors}`);
  if (info.poison.length >= t.poisonRecords) why.push(`${info.poison.length} poison record${info.poison.length === 1 ? '' : 's'} ≥ ${t.poisonRecords}`);
  return why.length === 0 ? { health: 'healthy', reason: null } : { health: 'degraded', reason: why.join('; ') };
}

/**
 * The health to store, or null to leave the row alone. Telemetry moves only a healthy device or
 * one it moved itself (`applied` is what it last wrote): an operator's choice (draining, or a
 * health set by hand) is never overridden.
 */
export function nextHealth(current: { health: DeviceHealth; reason: string | null }, applied: Verdict | null, verdict: Verdict): Verdict | null {
  const ownedByTelemetry = current.health === 'healthy' || (applied !== null && applied.health === current.health && applied.reason === current.reason);
  if (!ownedByTelemetry) return null;
  if (verdict.health === current.health && verdict.reason === current.reason) return null;
  return verdict;
}

function round(pct: number): number {
  return Math.round(pct * 10) / 10;
}
