import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

/** Billing's and the SLA's Prometheus metrics: base units, no tenant labels (DESIGN §8). */
export class BillingMetrics {
  readonly events: Counter<'outcome'>;
  readonly batchSize: Histogram;
  readonly batchSeconds: Histogram;
  readonly invoicesRated: Counter<'status'>;
  readonly closeSeconds: Histogram;
  /** Fleet-wide time-to-ready and hot-remove percentiles this month. */
  readonly latency: Gauge<'operation' | 'quantile'>;
  readonly sloBudgetRemaining: Gauge<'slo'>;
  readonly sloBurnRate: Gauge<'slo' | 'alert' | 'window'>;
  readonly sloAlertFiring: Gauge<'slo' | 'alert'>;
  readonly utilization: Gauge;
  readonly strandedBytes: Gauge;
  readonly uptimeRatio: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.events = new Counter({ name: 'mxs_billing_usage_events_total', help: 'Usage events seen, by outcome (claimed, duplicate, invalid)', labelNames: ['outcome'], registers });
    this.batchSize = new Histogram({ name: 'mxs_billing_meter_batch_events', help: 'Usage events written per transaction', buckets: [1, 4, 16, 64, 256, 1024, 4096], registers });
    this.batchSeconds = new Histogram({ name: 'mxs_billing_meter_batch_seconds', help: 'Time to claim a batch of usage events and rebuild their intervals', buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers });
    this.invoicesRated = new Counter({ name: 'mxs_billing_invoices_rated_total', help: 'Invoices rated and written, by the status they were written with', labelNames: ['status'], registers });
    this.closeSeconds = new Histogram({ name: 'mxs_billing_close_seconds', help: 'Time to rate and write one month of invoices', buckets: [0.01, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60], registers });
    this.latency = new Gauge({ name: 'mxs_sla_operation_seconds', help: 'Fleet-wide percentiles this month: time-to-ready of hot-adds and duration of hot-removes', labelNames: ['operation', 'quantile'], registers });
    this.sloBudgetRemaining = new Gauge({ name: 'mxs_slo_error_budget_remaining_ratio', help: 'Error budget left over the last 30 days (1 = untouched, negative = overspent)', labelNames: ['slo'], registers });
    this.sloBurnRate = new Gauge({ name: 'mxs_slo_burn_rate', help: 'Error rate over the window divided by the budgeted rate', labelNames: ['slo', 'alert', 'window'], registers });
    this.sloAlertFiring = new Gauge({ name: 'mxs_slo_burn_alert_firing', help: '1 when both windows of a multi-window burn-rate alert are at or past its factor', labelNames: ['slo', 'alert'], registers });
    this.utilization = new Gauge({ name: 'mxs_fleet_utilization_ratio', help: 'Used CXL capacity over all capacity', registers });
    this.strandedBytes = new Gauge({ name: 'mxs_fleet_stranded_bytes', help: 'Free CXL capacity no host with room to grow can reach', registers });
    this.uptimeRatio = new Gauge({ name: 'mxs_sla_uptime_ratio', help: 'Fleet-wide share of metered GiB-time this month that was not degraded', registers });
  }
}
