/**
 * The suite's one table: every figure of every bench, aligned in columns (numbers to the right,
 * words to the left), so figures, targets and ratios read down a column.
 */
import type { FigureRow } from './figures';

const COLUMNS = ['bench', 'figure', 'value', 'unit', 'target', 'met', 'baseline', 'ratio'] as const;
type Column = (typeof COLUMNS)[number];
/** Right-aligned columns: numbers line up on their last digit. */
const RIGHT: ReadonlySet<Column> = new Set<Column>(['value', 'ratio']);
const GAP = '  ';

export function formatNumber(value: number): string {
  const magnitude = Math.abs(value);
  const digits = Number.isInteger(value) || magnitude >= 1000 ? 0 : magnitude >= 10 ? 1 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

function cells(row: FigureRow): Record<Column, string> {
  return {
    bench: row.bench,
    figure: row.failed === undefined ? row.figure : `FAILED: ${row.failed}`,
    value: row.value === null ? '-' : formatNumber(row.value),
    unit: row.unit,
    target: row.target === undefined ? '' : `${row.target.op} ${formatNumber(row.target.value)}`,
    met: row.met === undefined ? '' : row.met ? '✓' : '✗',
    baseline: row.baseline === undefined ? '' : `${formatNumber(row.baseline.value)} (${row.baseline.name})`,
    ratio: row.ratio === undefined ? '' : `${formatNumber(row.ratio)}×`,
  };
}

/** The table's lines: a header, a rule, then one line per row; every line the same width. */
export function formatTable(rows: readonly FigureRow[]): string[] {
  const header = Object.fromEntries(COLUMNS.map((c) => [c, c])) as Record<Column, string>;
  const body = rows.map(cells);
  const widths = Object.fromEntries(COLUMNS.map((c) => [c, Math.max(...[header, ...body].map((r) => r[c].length))])) as Record<Column, number>;
  const line = (r: Record<Column, string>): string => COLUMNS.map((c) => (RIGHT.has(c) ? r[c].padStart(widths[c]) : r[c].padEnd(widths[c]))).join(GAP);
  const rule = COLUMNS.map((c) => '-'.repeat(widths[c])).join(GAP);
  return [line(header), rule, ...body.map(line)];
}
