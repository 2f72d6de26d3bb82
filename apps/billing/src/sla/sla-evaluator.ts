import { Inject, Injectable, Logger } from '@nestjs/common';
import type { BillingConfig } from '../config';
import { BILLING_CONFIG } from '../infra/infra.module';
import { BillingMetrics } from '../metrics/billing-metrics';
import { SlaService } from './sla.service';

const QUANTILES = [
  ['0.5', 'p50Ms'],
  ['0.95', 'p95Ms'],
  ['0.99', 'p99Ms'],
  ['0.999', 'p999Ms'],
] as const;

/** Keeps this replica's SLA gauges current: every replica's /metrics answers the same figures. */
@Injectable()
export class SlaEvaluator {
  private readonly log = new Logger(SlaEvaluator.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly sla: SlaService,
    private readonly metrics: BillingMetrics,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
  ) {}

  start(): void {
    if (this.config.MXS_SLA_EVALUATION_INTERVAL_MS === 0) return;
    const tick = (): void => {
      this.running ??= this.evaluate()
        .catch((error: unknown) => this.log.warn(`SLA evaluation failed: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => {
          this.running = null;
        });
    };
    tick();
    this.timer = setInterval(tick, this.config.MXS_SLA_EVALUATION_INTERVAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  async evaluate(): Promise<void> {
    const report = await this.sla.fleetFigures();
    for (const [operation, summary] of [['time-to-ready', report.fleet.timeToReady], ['hot-remove', report.fleet.hotRemove]] as const) {
      for (const [quantile, field] of QUANTILES) this.metrics.latency.set({ operation, quantile }, summary[field] / 1000);
    }
    for (const slo of report.slos) {
      this.metrics.sloBudgetRemaining.set({ slo: slo.name }, slo.errorBudget.remainingFraction);
      for (const alert of slo.burnAlerts) {
        this.metrics.sloBurnRate.set({ slo: slo.name, alert: alert.name, window: 'long' }, alert.longBurn);
        this.metrics.sloBurnRate.set({ slo: slo.name, alert: alert.name, window: 'short' }, alert.shortBurn);
        this.metrics.sloAlertFiring.set({ slo: slo.name, alert: alert.name }, alert.firing ? 1 : 0);
      }
    }
    const { windowSeconds, downtimeSeconds } = report.fleet.uptime;
    this.metrics.uptimeRatio.set(windowSeconds === 0 ? 1 : (windowSeconds - downtimeSeconds) / windowSeconds);
    if (report.capacity !== null) {
      this.metrics.utilization.set(report.capacity.utilization);
      this.metrics.strandedBytes.set(report.capacity.strandedGiB * 2 ** 30);
    }
  }
}
