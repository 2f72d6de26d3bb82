import type { DeviceHealthInfo } from '@mxs/host-agent';
import { DEVICE_HEALTH } from '@mxs/topology';
import type { DeviceHealth } from '@mxs/topology';
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

const MEDIA_STATUSES: readonly DeviceHealthInfo['mediaStatus'][] = ['normal', 'not-ready', 'write-persistency-lost', 'data-lost', 'failed'];

/** Device telemetry and reconciliation, in base units; device ids are labels, tenants never (DESIGN §8). */
export class MaintenanceMetrics {
  private readonly lifeUsed: Gauge<'device'>;
  private readonly temperature: Gauge<'device'>;
  private readonly correctedErrors: Gauge<'device' | 'kind'>;
  private readonly poison: Gauge<'device'>;
  private readonly media: Gauge<'device' | 'status'>;
  private readonly health: Gauge<'device' | 'health'>;
  private readonly pollErrors: Counter<'target' | 'code'>;
  private readonly drift: Counter<'kind'>;
  private readonly repairs: Counter<'kind'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.lifeUsed = new Gauge({ name: 'mxs_device_life_used_ratio', help: 'Share of the device\'s rated endurance used (0-1)', labelNames: ['device'], registers });
    this.temperature = new Gauge({ name: 'mxs_device_temperature_celsius', help: 'Device temperature as its health info reports it', labelNames: ['device'], registers });
    // The device keeps the count; this mirrors it, hence a gauge with the counter's name.
    this.correctedErrors = new Gauge({ name: 'mxs_device_corrected_errors_total', help: 'Corrected memory errors the device has counted, by kind', labelNames: ['device', 'kind'], registers });
    this.poison = new Gauge({ name: 'mxs_device_poison_records', help: 'Entries in the device\'s poison list', labelNames: ['device'], registers });
    this.media = new Gauge({ name: 'mxs_device_media_status', help: '1 for the device\'s current media status, 0 for the others', labelNames: ['device', 'status'], registers });
    this.health = new Gauge({ name: 'mxs_device_health', help: '1 for the device\'s health as placement sees it, 0 for the others', labelNames: ['device', 'health'], registers });
    this.pollErrors = new Counter({ name: 'mxs_telemetry_poll_errors_total', help: 'Telemetry reads that failed, by what was read and the agent error code', labelNames: ['target', 'code'], registers });
    this.drift = new Counter({ name: 'mxs_reconcile_drift_total', help: 'Drift reconciliation found and could not repair, by kind', labelNames: ['kind'], registers });
    this.repairs = new Counter({ name: 'mxs_reconcile_repairs_total', help: 'Drift reconciliation repaired, by kind', labelNames: ['kind'], registers });
  }

  deviceTelemetry(info: DeviceHealthInfo): void {
    const device = info.deviceId;
    this.lifeUsed.set({ device }, info.lifeUsedPct / 100);
    this.temperature.set({ device }, info.temperatureC);
    this.correctedErrors.set({ device, kind: 'volatile' }, info.correctedVolatileErrors);
    this.correctedErrors.set({ device, kind: 'persistent' }, info.correctedPersistentErrors);
    this.poison.set({ device }, info.poison.length);
    for (const status of MEDIA_STATUSES) this.media.set({ device, status }, status === info.mediaStatus ? 1 : 0);
  }

  deviceHealth(device: string, health: DeviceHealth): void {
    for (const h of DEVICE_HEALTH) this.health.set({ device, health: h }, h === health ? 1 : 0);
  }

  pollFailed(target: 'device' | 'switch' | 'host', code: string): void {
    this.pollErrors.inc({ target, code });
  }

  drifted(kind: string, n = 1): void {
    if (n > 0) this.drift.inc({ kind }, n);
  }

  repaired(kind: string, n = 1): void {
    if (n > 0) this.repairs.inc({ kind }, n);
  }
}
