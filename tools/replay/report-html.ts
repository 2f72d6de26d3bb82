import type { PolicyRun, PoolingStudy, ReplayReport } from '@mxs/replay';
import { currencyMinorDigits, TIERS } from '@mxs/rating';
import { formatDurationSec, formatGiB, formatInteger, formatMoney, formatPercent, formatTick, reasonsByCount } from './format';
import type { Figures } from './report-table';
import { policyFigures, poolingFigures, poolingTitle } from './report-table';
import type { Axis } from './svg-chart';
import { barChart, escapeHtml, lineChart } from './svg-chart';

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#111;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555;margin:0 0 16px}.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{border:1px solid #ddd;border-radius:8px;padding:10px 14px;min-width:180px}.card h3{margin:0 0 6px;font-size:15px}
.big{font-size:24px;font-weight:600}.card div{color:#333}
table{border-collapse:collapse;margin:8px 0 16px;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid #e5e7eb;padding:4px 10px;text-align:left;white-space:nowrap}td.n,th.n{text-align:right}
svg.chart{max-width:100%;height:auto;font-size:11px;fill:#333}svg .title{font-size:14px;font-weight:600}
svg .axis{font-size:12px}.wide{overflow-x:auto}svg .note{fill:#16a34a;font-weight:600}.charts{display:flex;flex-wrap:wrap;gap:16px}`;

/**
 * The report as one self-contained HTML page: summary cards, charts drawn as inline SVG, and the
 * raw figures as tables. Nothing is fetched when it opens, so it can be mailed or archived as is.
 */
export function renderReportHtml(report: ReplayReport): string {
  const { trace, fleet } = report;
  const title = `Replay of ${trace.source}`;
  const body = [
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="meta">${escapeHtml(`${formatInteger(trace.vms)} VMs, ${formatInteger(trace.expansions)} expansion requests over ${formatDurationSec(trace.durationSec)} · fleet ${fleet.name}: ${formatInteger(fleet.hosts)} hosts, ${formatInteger(fleet.devices)} CXL devices, ${formatGiB(fleet.capacityGiB)} · ${[...new Set(report.runs.map((r) => r.mode))].join(', ')} mode · generated ${report.generatedAt}`)}</p>`,
    summaryCards(report),
    section('Utilization and stranded memory over time', `<div class="charts">${seriesCharts(report.runs, trace.durationSec)}</div>`),
    section('Rejections by reason', rejectionsChart(report.runs)),
    section('Revenue by tier', revenueChart(report.runs)),
    report.runs.some((r) => r.timeToReadySec !== null) ? section('Time to ready', ttrChart(report.runs)) : '',
    report.pooling === null ? '' : section('Pooling study', `<p>${escapeHtml(poolingTitle(report.pooling))}.</p>${poolingChart(report.pooling)}`),
    section('Figures', rawFigures(report)),
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
${body.filter((b) => b !== '').join('\n')}
</body></html>
`;
}

function section(heading: string, content: string): string {
  return `<section><h2>${escapeHtml(heading)}</h2>${content}</section>`;
}

function totalMinor(run: PolicyRun): number {
  return TIERS.reduce((sum, t) => sum + run.revenueByTier[t].amountMinor, 0);
}

function summaryCards(report: ReplayReport): string {
  const cards = report.runs.map((run) =>
    card(run.policy, formatPercent(run.acceptanceRate), [
      `${formatInteger(run.accepted)} of ${formatInteger(run.requests)} requests accepted`,
      `mean utilization ${formatPercent(run.meanUtilization)}`,
      `mean stranded ${formatGiB(run.meanStrandedGiB)}`,
      `revenue ${formatMoney(totalMinor(run), run.currency)}`,
    ]),
  );
  const pools = report.pooling?.arrangements.filter((a) => a.hostsPerPool !== null) ?? [];
  const best = pools.reduce<(typeof pools)[number] | undefined>((b, a) => (b === undefined || a.savingVsDirect > b.savingVsDirect ? a : b), undefined);
  if (best !== undefined) cards.push(card(`pooling (${best.name})`, formatPercent(best.savingVsDirect), [`less CXL capacity than direct-attached only`, `${formatGiB(best.capacityNeededGiB)} needed`]));
  return `<div class="cards">${cards.join('')}</div>`;
}

function card(heading: string, figure: string, lines: readonly string[]): string {
  return `<div class="card"><h3>${escapeHtml(heading)}</h3><div class="big">${escapeHtml(figure)}</div>${lines.map((l) => `<div>${escapeHtml(l)}</div>`).join('')}</div>`;
}

/** Seconds shown in the unit that keeps tick labels short. */
function timeUnit(durationSec: number): { readonly label: string; readonly perSec: number } {
  if (durationSec >= 2 * 3600) return { label: 'h', perSec: 1 / 3600 };
  if (durationSec >= 2 * 60) return { label: 'min', perSec: 1 / 60 };
  return { label: 's', perSec: 1 };
}

function seriesCharts(runs: readonly PolicyRun[], durationSec: number): string {
  const unit = timeUnit(Math.max(durationSec, ...runs.flatMap((r) => r.series.map((p) => p.atSec))));
  const xAxis: Axis = { label: `time since the trace started (${unit.label})`, format: formatTick };
  const line = (pick: (p: PolicyRun['series'][number]) => number) =>
    runs.map((r) => ({ name: r.policy, points: r.series.map((p) => ({ x: p.atSec * unit.perSec, y: pick(p) })) }));
  return [
    lineChart('CXL utilization', line((p) => p.utilization), xAxis, { label: 'used / capacity (%)', format: (v) => `${Math.round(v * 100)}%`, max: 1 }),
    lineChart('Stranded GiB', line((p) => p.strandedGiB), xAxis, { label: 'stranded (GiB)', format: formatTick }),
  ].join('');
}

function rejectionsChart(runs: readonly PolicyRun[]): string {
  const totals: Record<string, number> = {};
  for (const run of runs) for (const [reason, count] of Object.entries(run.rejectionsByReason)) totals[reason] = (totals[reason] ?? 0) + count;
  const reasons = reasonsByCount(totals).map(([reason]) => reason);
  if (reasons.length === 0) return '<p>No request was rejected.</p>';
  const groups = reasons.map((reason) => ({ label: reason, values: runs.map((r) => r.rejectionsByReason[reason] ?? 0) }));
  return barChart('Rejected requests by reason', runs.map((r) => r.policy), groups, { label: 'requests', format: formatTick });
}

function revenueChart(runs: readonly PolicyRun[]): string {
  const currency = runs[0]?.currency ?? '';
  const scale = 10 ** (currencyMinorDigits(currency) ?? 2);
  const groups = [
    ...TIERS.map((tier) => ({ label: tier, values: runs.map((r) => r.revenueByTier[tier].amountMinor / scale) })),
    { label: 'total', values: runs.map((r) => totalMinor(r) / scale) },
  ];
  return barChart(`Revenue by tier (${currency})`, runs.map((r) => r.policy), groups, { label: currency, format: formatTick });
}

function ttrChart(runs: readonly PolicyRun[]): string {
  const measured = runs.flatMap((r, index) => (r.timeToReadySec === null ? [] : [{ policy: r.policy, ttr: r.timeToReadySec, index }]));
  const groups = (['p50', 'p95', 'p99'] as const).map((p) => ({ label: p, values: measured.map((m) => m.ttr[p]) }));
  return barChart('Time to ready (request to active)', measured.map((m) => m.policy), groups, { label: 'seconds', format: formatTick }, measured.map((m) => m.index));
}

function poolingChart(study: PoolingStudy): string {
  const groups = study.arrangements.map((a) => ({
    label: a.name,
    values: [a.capacityNeededGiB],
    note: a.hostsPerPool === null ? 'baseline' : `saves ${formatPercent(a.savingVsDirect)}`,
  }));
  return barChart('CXL capacity needed to accept the same requests', ['capacity needed (GiB)'], groups, { label: 'GiB', format: formatTick });
}

function rawFigures(report: ReplayReport): string {
  const parts = [htmlTable(policyFigures(report))];
  const reasons = [...new Set(report.runs.flatMap((r) => reasonsByCount(r.rejectionsByReason).map(([reason]) => reason)))].sort();
  if (reasons.length > 0) {
    parts.push(htmlTable({ header: ['rejection reason', ...report.runs.map((r) => r.policy)], rows: reasons.map((reason) => [reason, ...report.runs.map((r) => formatInteger(r.rejectionsByReason[reason] ?? 0))]), numeric: [false, ...report.runs.map(() => true)] }));
  }
  parts.push(htmlTable({
    header: ['policy', ...TIERS.flatMap((t) => [`${t} GiB·h`, `${t} revenue`]), 'VMs placed', 'VMs unplaced', 'peak used', 'replay took'],
    rows: report.runs.map((r) => [r.policy, ...TIERS.flatMap((t) => [formatInteger(r.revenueByTier[t].gibHours), formatMoney(r.revenueByTier[t].amountMinor, r.currency)]), formatInteger(r.vms.placed), formatInteger(r.vms.unplaced), formatGiB(r.peakUsedGiB), formatDurationSec(r.wallSec)]),
    numeric: [false, ...TIERS.flatMap(() => [true, true]), true, true, true, true],
  }));
  const ttrRows = report.runs.flatMap((r) => {
    const t = r.timeToReadySec;
    return t === null ? [] : [[r.policy, formatInteger(t.count), ...[t.p50, t.p95, t.p99, t.max].map(formatDurationSec)]];
  });
  if (ttrRows.length > 0) parts.push(htmlTable({ header: ['policy', 'measured', 'TTR p50', 'TTR p95', 'TTR p99', 'TTR max'], rows: ttrRows, numeric: [false, true, true, true, true, true] }));
  if (report.pooling !== null) parts.push(htmlTable(poolingFigures(report.pooling)));
  return parts.join('');
}

function htmlTable({ header, rows, numeric }: Figures): string {
  const cls = (i: number): string => (numeric[i] === true ? ' class="n"' : '');
  const head = header.map((h, i) => `<th${cls(i)}>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((cell, i) => `<td${cls(i)}>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('');
  return `<div class="wide"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}
