import type { ApiClient, Download } from './client';
import type {
  AdminExpansion,
  AdminExpansionDetail,
  DeviceDetail,
  DeviceHealthChange,
  Estimate,
  ExpansionFilter,
  Fault,
  Fleet,
  FleetSla,
  Invoice,
  Page,
  SlaHistory,
  Tenant,
  TenantPlan,
} from './types';

const id = encodeURIComponent;

/** Every call the console makes, one method each, as README.md lists them. */
export class ConsoleApi {
  constructor(readonly client: ApiClient) {}

  startSession(): Promise<void> {
    return this.client.post('/admin/v1/session');
  }

  endSession(): Promise<void> {
    return this.client.delete('/admin/v1/session');
  }

  fleet(): Promise<Fleet> {
    return this.client.get('/admin/v1/fleet');
  }

  device(deviceId: string): Promise<DeviceDetail> {
    return this.client.get(`/admin/v1/fleet/devices/${id(deviceId)}`);
  }

  setDeviceHealth(deviceId: string, health: 'draining' | 'healthy', reason?: string): Promise<DeviceHealthChange> {
    return this.client.patch(`/admin/v1/fleet/devices/${id(deviceId)}`, reason === undefined ? { health } : { health, reason });
  }

  injectFault(fault: Fault): Promise<{ seq: number }> {
    return this.client.post('/admin/v1/faults', fault);
  }

  expansions(filter: ExpansionFilter, cursor: string | null, limit = 50): Promise<Page<AdminExpansion>> {
    return this.client.get('/admin/v1/expansions', { ...filter, limit, cursor });
  }

  expansion(expansionId: string): Promise<AdminExpansionDetail> {
    return this.client.get(`/admin/v1/expansions/${id(expansionId)}`);
  }

  forceRelease(expansionId: string): Promise<AdminExpansion> {
    return this.client.post(`/admin/v1/expansions/${id(expansionId)}/force-release`);
  }

  tenants(cursor: string | null, limit = 50): Promise<Page<Tenant>> {
    return this.client.get('/admin/v1/tenants', { limit, cursor });
  }

  /** Not in README's table, but placement-api answers it (the tenants controller's `GET :id`). */
  tenant(tenantId: string): Promise<Tenant> {
    return this.client.get(`/admin/v1/tenants/${id(tenantId)}`);
  }

  invoices(tenantId: string, cursor: string | null, limit = 24): Promise<Page<Invoice>> {
    return this.client.get('/billing/admin/v1/invoices', { tenantId, limit, cursor });
  }

  invoice(invoiceId: string): Promise<Invoice> {
    return this.client.get(`/billing/admin/v1/invoices/${id(invoiceId)}`);
  }

  invoiceCsv(invoiceId: string): Promise<Download> {
    return this.client.download(`/billing/admin/v1/invoices/${id(invoiceId)}`, 'text/csv');
  }

  estimate(tenantId: string): Promise<Estimate> {
    return this.client.get(`/billing/admin/v1/tenants/${id(tenantId)}/estimate`);
  }

  plan(tenantId: string): Promise<TenantPlan> {
    return this.client.get(`/billing/admin/v1/tenants/${id(tenantId)}/plan`);
  }

  sla(): Promise<FleetSla> {
    return this.client.get('/billing/admin/v1/sla');
  }

  slaHistory(hours: number, bucketMinutes: number): Promise<SlaHistory> {
    return this.client.get('/billing/admin/v1/sla/history', { hours, bucketMinutes });
  }
}
