import type { RequestedTier } from '@mxs/policy';
import { MAX_REQUEST_GIB, REQUESTED_TIERS } from '@mxs/policy';

/**
 * A replay trace: VMs that come and go, and the memory expansions they ask for while they live.
 * Times are seconds from the start of the trace. On disk it is one CSV file (`mxs-trace/1`, see
 * the library README): one row per VM and one per expansion request, each led by its record kind.
 */
export const TRACE_FORMAT = 'mxs-trace/1';

export interface TraceVm {
  readonly vmId: string;
  readonly tenantId: string;
  readonly arrivalSec: number;
  /** `null`: the VM outlives the trace. */
  readonly departureSec: number | null;
  readonly dramGiB: number;
}

export interface TraceExpansion {
  /** `<vmId>/<n>`: the VM's n-th request in file order, from 1. */
  readonly id: string;
  readonly vmId: string;
  readonly atSec: number;
  readonly sizeGiB: number;
  readonly tier: RequestedTier;
  /** `null`: held until the VM departs (or the trace ends). */
  readonly releaseSec: number | null;
}

export interface Trace {
  readonly vms: readonly TraceVm[];
  readonly expansions: readonly TraceExpansion[];
}

export const VM_COLUMNS = ['vmId', 'tenantId', 'arrivalSec', 'departureSec', 'dramGiB'] as const;
export const EXPANSION_COLUMNS = ['vmId', 'atSec', 'sizeGiB', 'tier', 'releaseSec'] as const;

/** A trace that breaks the format: every problem, each with its 1-based line. */
export class TraceFormatError extends Error {
  override readonly name = 'TraceFormatError';

  constructor(readonly problems: readonly string[]) {
    super(`invalid trace: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems.slice(0, 20).join('\n')}${problems.length > 20 ? `\n… and ${problems.length - 20} more` : ''}`);
  }
}

const ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Parses a `mxs-trace/1` CSV. Blank lines and lines starting with `#` are skipped. */
export function parseTrace(text: string): Trace {
  const problems: string[] = [];
  const vms: TraceVm[] = [];
  const expansions: TraceExpansion[] = [];
  const vmById = new Map<string, TraceVm>();
  const requestsPerVm = new Map<string, number>();
  const pending: { line: number; row: Omit<TraceExpansion, 'id'> }[] = [];

  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const content = raw.trim();
    if (content === '' || content.startsWith('#')) return;
    const cells = content.split(',').map((c) => c.trim());
    const kind = cells[0];
    const fail = (message: string): void => {
      problems.push(`line ${line}: ${message}`);
    };
    if (kind === 'vm') {
      if (cells.length !== 1 + VM_COLUMNS.length) return fail(`a vm row has ${VM_COLUMNS.length} fields after "vm" (${VM_COLUMNS.join(', ')}), got ${cells.length - 1}`);
      const [, vmId = '', tenantId = '', arrival = '', departure = '', dram = ''] = cells;
      const errors: string[] = [];
      if (!ID.test(vmId)) errors.push(`vmId "${vmId}" must be 1-128 of [A-Za-z0-9._:-]`);
      if (!ID.test(tenantId)) errors.push(`tenantId "${tenantId}" must be 1-128 of [A-Za-z0-9._:-]`);
      const arrivalSec = seconds(arrival, 'arrivalSec', errors);
      const departureSec = departure === '' ? null : seconds(departure, 'departureSec', errors);
      const dramGiB = positiveInt(dram, 'dramGiB', errors);
      if (errors.length === 0 && departureSec !== null && departureSec <= arrivalSec) errors.push(`departureSec ${departureSec} must be after arrivalSec ${arrivalSec}`);
      if (errors.length === 0 && vmById.has(vmId)) errors.push(`vm "${vmId}" is listed twice`);
      if (errors.length > 0) return fail(errors.join('; '));
      const vm: TraceVm = { vmId, tenantId, arrivalSec, departureSec, dramGiB };
      vms.push(vm);
      vmById.set(vmId, vm);
    } else if (kind === 'expansion') {
      if (cells.length !== 1 + EXPANSION_COLUMNS.length) return fail(`an expansion row has ${EXPANSION_COLUMNS.length} fields after "expansion" (${EXPANSION_COLUMNS.join(', ')}), got ${cells.length - 1}`);
      const [, vmId = '', at = '', size = '', tier = '', release = ''] = cells;
      const errors: string[] = [];
      const atSec = seconds(at, 'atSec', errors);
      const sizeGiB = positiveInt(size, 'sizeGiB', errors);
      if (sizeGiB > MAX_REQUEST_GIB) errors.push(`sizeGiB ${sizeGiB} is over ${MAX_REQUEST_GIB}`);
      if (!(REQUESTED_TIERS as readonly string[]).includes(tier)) errors.push(`tier "${tier}" must be one of ${REQUESTED_TIERS.join(', ')}`);
      const releaseSec = release === '' ? null : seconds(release, 'releaseSec', errors);
      if (errors.length === 0 && releaseSec !== null && releaseSec <= atSec) errors.push(`releaseSec ${releaseSec} must be after atSec ${atSec}`);
      if (errors.length > 0) return fail(errors.join('; '));
      pending.push({ line, row: { vmId, atSec, sizeGiB, tier: tier as RequestedTier, releaseSec } });
    } else {
      fail(`unknown record kind "${kind ?? ''}": each row starts with "vm" or "expansion"`);
    }
  });

  // Expansions may come before their VM's row; check them once every VM is known.
  for (const { line, row } of pending) {
    const vm = vmById.get(row.vmId);
    if (vm === undefined) {
      problems.push(`line ${line}: expansion for unknown vm "${row.vmId}"`);
      continue;
    }
    if (row.atSec < vm.arrivalSec || (vm.departureSec !== null && row.atSec >= vm.departureSec)) {
      problems.push(`line ${line}: atSec ${row.atSec} is outside the life of vm "${vm.vmId}" [${vm.arrivalSec}, ${vm.departureSec ?? '∞'})`);
      continue;
    }
    const n = (requestsPerVm.get(row.vmId) ?? 0) + 1;
    requestsPerVm.set(row.vmId, n);
    expansions.push({ id: `${row.vmId}/${n}`, ...row });
  }
  if (problems.length > 0) throw new TraceFormatError(problems);
  return { vms, expansions };
}

/** Writes a trace as `mxs-trace/1` CSV: a header comment, the VMs, then the expansions by time. */
export function formatTrace(trace: Trace, comments: readonly string[] = []): string {
  const out = [`# ${TRACE_FORMAT}`, ...comments.map((c) => `# ${c}`), `# vm,${VM_COLUMNS.join(',')}`, `# expansion,${EXPANSION_COLUMNS.join(',')}`];
  for (const vm of trace.vms) out.push(['vm', vm.vmId, vm.tenantId, vm.arrivalSec, vm.departureSec ?? '', vm.dramGiB].join(','));
  for (const x of trace.expansions) out.push(['expansion', x.vmId, x.atSec, x.sizeGiB, x.tier, x.releaseSec ?? ''].join(','));
  return `${out.join('\n')}\n`;
}

/** The last moment anything happens in the trace. */
export function traceEndSec(trace: Trace): number {
  let end = 0;
  for (const vm of trace.vms) end = Math.max(end, vm.departureSec ?? vm.arrivalSec);
  for (const x of trace.expansions) end = Math.max(end, x.releaseSec ?? x.atSec);
  return end;
}

function seconds(cell: string, field: string, errors: string[]): number {
  const value = Number(cell);
  if (cell === '' || !Number.isFinite(value) || value < 0) {
    errors.push(`${field} "${cell}" must be a number of seconds >= 0`);
    return 0;
  }
  return value;
}

function positiveInt(cell: string, field: string, errors: string[]): number {
  const value = Number(cell);
  if (cell === '' || !Number.isSafeInteger(value) || value < 1) {
    errors.push(`${field} "${cell}" must be a whole number >= 1`);
    return 1;
  }
  return value;
}
