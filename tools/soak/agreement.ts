import type { SimulatorControl } from '@mxs/host-agent';
import { billingChecks, billingScope } from './billing-checks';
import type { BillingInterval } from './billing-read';
import { billingIntervals } from './billing-read';
import type { CheckResult } from './check-result';
import { Check } from './check-result';
import { dbChecks } from './db-checks';
import type { DbState } from './db-state';
import { readDbState, withDb } from './db-state';
import type { SettleOptions, SettleTarget } from './settle';
import { releaseEverything, settle } from './settle';
import type { SimState } from './sim-checks';
import { readSimState, simChecks } from './sim-checks';

/** What the checker reads: PostgreSQL, the simulator, and billing's API (as each tenant); the API only to settle. */
export interface AgreementTarget extends SettleTarget {
  readonly dbUrl: string;
  readonly sim: SimulatorControl;
  /** Null: the stack runs without billing, and its checks are left out. */
  readonly billingUrl: string | null;
}

export interface CheckOptions {
  /** Most a usage event's moment may differ from its transition's. */
  readonly skewToleranceMs: number;
  /** Billing consumes events from a queue: a billing disagreement is read again for this long before it counts. */
  readonly billingCatchUpMs: number;
}

export interface AgreementOptions extends SettleOptions, CheckOptions {
  /** After the first round, remove every expansion and check again: all capacity must come back. */
  readonly releaseAll: boolean;
}

export interface AgreementResult {
  readonly checks: readonly CheckResult[];
  readonly passed: boolean;
  readonly forceReleased: readonly string[];
}

async function readBilling(target: AgreementTarget, db: DbState): Promise<BillingInterval[]> {
  if (target.billingUrl === null) return [];
  const { tenantIds, fromSec } = billingScope(db);
  const access = { billingUrl: target.billingUrl, tenantKey: (id: string) => target.tenantKey(id) };
  const out: BillingInterval[] = [];
  for (const tenantId of tenantIds) out.push(...(await billingIntervals(access, tenantId, fromSec)));
  return out;
}

/** Reads everything now and compares; no settling. Names are prefixed with the phase. */
export async function runChecks(target: AgreementTarget, phase: string, options: CheckOptions): Promise<CheckResult[]> {
  const db = await withDb(target.dbUrl, readDbState);
  const sim: SimState = await readSimState(target.sim, db.hosts.map((h) => h.id), db.devices.map((d) => d.id));
  const checks = [...simChecks(db, sim), ...dbChecks(db)];
  if (target.billingUrl !== null) {
    let billing = billingChecks(db, await readBilling(target, db), options);
    const deadline = Date.now() + options.billingCatchUpMs;
    while (billing.some((c) => !c.passed) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      billing = billingChecks(db, await readBilling(target, db), options);
    }
    checks.push(...billing);
  }
  return checks.map((c) => ({ ...c, name: `${phase}: ${c.name}` }));
}

/** After everything was removed: no live extent anywhere, no VM memory, no quota or window in use. */
async function allCapacityReturned(target: AgreementTarget, phase: string): Promise<CheckResult> {
  const check = new Check(`${phase}: all capacity returned`);
  const db = await withDb(target.dbUrl, readDbState);
  const sim = await readSimState(target.sim, db.hosts.map((h) => h.id), db.devices.map((d) => d.id));
  for (const d of db.devices) {
    const dbLive = db.liveExtents.filter((e) => e.deviceId === d.id);
    const simHeld = sim.devices.get(d.id)?.extents ?? [];
    check.compare(dbLive.length === 0 && simHeld.length === 0 ? null : `${d.id}: ${dbLive.length} live extents in the database, ${simHeld.length} held in the simulator`);
  }
  for (const h of sim.hosts.values()) {
    const memory = h.vms.reduce((sum, v) => sum + v.requestedGiB + v.pluggedGiB, 0);
    check.compare(h.regions.length === 0 && memory === 0 ? null : `${h.hostId}: ${h.regions.length} regions, ${memory} GiB of VM memory left`);
  }
  for (const t of db.tenants) check.compare(t.usedGiB === 0 ? null : `tenant ${t.id} still uses ${t.usedGiB} GiB`);
  const left = db.expansions.filter((x) => x.state !== 'released' && x.state !== 'failed');
  check.compare(left.length === 0 ? null : `expansions not released: ${left.map((x) => `${x.id} ${x.state}`).slice(0, 10).join(', ')}`);
  return check.result();
}

/**
 * Settles the system, checks it, and (with `releaseAll`) removes every expansion, settles and
 * checks again, so capacity held anywhere by mistake shows as a failure.
 */
export async function checkAgreement(target: AgreementTarget, options: AgreementOptions): Promise<AgreementResult> {
  const settled = await settle(target, options, 'after the load: settled, nothing in flight or degraded');
  const checks: CheckResult[] = [settled.check, ...(await runChecks(target, 'after the load', options))];
  if (options.releaseAll) {
    // A removal can give up (pinned pages) and leave the memory attached: ask twice.
    for (let round = 0; round < 2; round++) {
      const asked = await releaseEverything(target, options.log);
      if (asked.requested === 0) break;
      await settle(target, options);
    }
    const after = await settle(target, options, 'after releasing everything: settled');
    checks.push(after.check, ...(await runChecks(target, 'after releasing everything', options)), await allCapacityReturned(target, 'after releasing everything'));
  }
  return { checks, passed: checks.every((c) => c.passed), forceReleased: settled.forceReleased };
}

/** The checks as lines an operator reads: PASS/FAIL, the count compared, and the first failures. */
export function formatChecks(checks: readonly CheckResult[]): string {
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`${c.passed ? 'PASS' : 'FAIL'}  ${c.name}  (${c.checked} checked${c.passed ? '' : `, ${c.failures.length} shown`})`);
    if (c.note !== undefined) lines.push(`      note: ${c.note}`);
    for (const f of c.failures) lines.push(`      - ${f}`);
  }
  return lines.join('\n');
}
