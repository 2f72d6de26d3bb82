import type { PolicyRun, PoolingStudy, ReplayReport } from '@mxs/replay';
import { TIERS } from '@mxs/rating';
import { formatDurationSec, formatGiB, formatInteger, formatMoney, formatPercent, reasonsByCount } from './format';

/** How many rejection reasons a table cell names before "+N more". */
const TOP_REASONS = 2;

/** The report as aligned text: a heading, one row per policy, then the pooling study. */
export function formatReportTable(report: ReplayReport): string {
  const sections = [heading(report), policyTable(report), report.pooling === null ? '' : poolingTable(report.pooling)];
  return `${sections.filter((s) => s !== '').join('\n\n')}\n`;
}

function heading(report: ReplayReport): string {
  const { trace, fleet } = report;
  const modes = [...new Set(report.runs.map((r) => r.mode))].join(', ') || 'no runs';
  return [
    `Replay of ${trace.source}: ${formatInteger(trace.vms)} VMs, ${formatInteger(trace.expansions)} expansion requests over ${formatDurationSec(trace.durationSec)}`,
    `Fleet ${fleet.name}: ${formatInteger(fleet.hosts)} hosts, ${formatInteger(fleet.devices)} CXL devices, ${formatGiB(fleet.capacityGiB)}; ${modes} mode`,
  ].join('\n');
}

/** A text grid: the header, the rows, which columns are numbers (right-aligned). */
export interface Figures {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly numeric: readonly boolean[];
}

/** One row per policy, the same cells in the text table and the HTML page's raw figures. */
export function policyFigures(report: ReplayReport): Figures {
  const currency = report.runs[0]?.currency ?? '';
  return {
    header: ['policy', 'accepted', 'acceptance', 'top rejections', 'mean util', 'peak util', 'mean stranded', 'TTR p50/p95/p99', ...TIERS.map((t) => `${t} ${currency}`), `total ${currency}`],
    rows: report.runs.map((run) => policyRow(run, report.fleet.capacityGiB)),
    numeric: [false, true, true, false, true, true, true, true, ...TIERS.map(() => true), true],
  };
}

function policyTable(report: ReplayReport): string {
  const { header, rows, numeric } = policyFigures(report);
  return textTable(header, rows, numeric);
}

function policyRow(run: PolicyRun, capacityGiB: number): string[] {
  const reasons = reasonsByCount(run.rejectionsByReason);
  const top = reasons.slice(0, TOP_REASONS).map(([reason, count]) => `${reason} ${formatInteger(count)}`);
  if (reasons.length > TOP_REASONS) top.push(`+${reasons.length - TOP_REASONS} more`);
  const ttr = run.timeToReadySec;
  const totalMinor = TIERS.reduce((sum, t) => sum + run.revenueByTier[t].amountMinor, 0);
  const money = (amountMinor: number): string => formatMoney(amountMinor, run.currency).replace(` ${run.currency}`, '');
  return [
    run.policy,
    `${formatInteger(run.accepted)}/${formatInteger(run.requests)}`,
    formatPercent(run.acceptanceRate),
    top.length === 0 ? '–' : top.join(', '),
    formatPercent(run.meanUtilization),
    capacityGiB > 0 ? formatPercent(run.peakUsedGiB / capacityGiB) : '–',
    formatGiB(run.meanStrandedGiB),
    ttr === null ? '–' : [ttr.p50, ttr.p95, ttr.p99].map(formatDurationSec).join(' / '),
    ...TIERS.map((t) => money(run.revenueByTier[t].amountMinor)),
    money(totalMinor),
  ];
}

/** What the pooling study compares, in one sentence. */
export function poolingTitle(study: PoolingStudy): string {
  const step = study.capacityStepGiB === undefined ? '' : ` (found to within ${formatGiB(study.capacityStepGiB)})`;
  return `Pooling study (policy ${study.policy}): the same trace on ${formatGiB(study.baselineCapacityGiB)} of CXL; the capacity each arrangement needs${step} to accept the ${formatInteger(study.targetAccepted)} requests that unbounded capacity accepts`;
}

export function poolingFigures(study: PoolingStudy): Figures {
  return {
    header: ['arrangement', 'hosts per pool', 'acceptance at baseline', 'capacity needed', 'saving vs direct'],
    rows: study.arrangements.map((a) => [
      a.name,
      a.hostsPerPool === null ? 'direct' : String(a.hostsPerPool),
      formatPercent(a.acceptanceRateAtBaseline),
      formatGiB(a.capacityNeededGiB),
      a.hostsPerPool === null ? '–' : formatPercent(a.savingVsDirect),
    ]),
    numeric: [false, true, true, true, true],
  };
}

function poolingTable(study: PoolingStudy): string {
  const { header, rows, numeric } = poolingFigures(study);
  return `${poolingTitle(study)}\n${textTable(header, rows, numeric)}`;
}

/** Columns padded to their widest cell, right-aligned where `right` says (numbers). */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], right: readonly boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (right[i] === true ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
