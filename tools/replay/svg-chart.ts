/**
 * Inline SVG charts for the HTML report, drawn in TypeScript so the page needs no script, font
 * or stylesheet from anywhere. Every text is escaped; every coordinate stays inside the viewBox.
 */

export const CHART_WIDTH = 720;
export const CHART_HEIGHT = 300;
const PLOT = { left: 72, right: CHART_WIDTH - 20, top: 34, bottom: CHART_HEIGHT - 66 } as const;
const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'] as const;

export function seriesColor(index: number): string {
  return PALETTE[index % PALETTE.length] as string;
}

/** Escapes text for HTML and SVG, in element content and in quoted attributes alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface Axis {
  readonly label: string;
  /** Tick text for a value on this axis. */
  readonly format: (value: number) => string;
  /** The top of the axis; by default a round number at or above the largest value. */
  readonly max?: number;
}

export interface LineSeries {
  readonly name: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

/** One polyline per series over shared axes starting at 0, with a legend. */
export function lineChart(title: string, series: readonly LineSeries[], xAxis: Axis, yAxis: Axis): string {
  const xs = niceScale(xAxis.max ?? Math.max(0, ...series.flatMap((s) => s.points.map((p) => p.x))));
  const ys = niceScale(yAxis.max ?? Math.max(0, ...series.flatMap((s) => s.points.map((p) => p.y))));
  const px = (x: number): number => clamp(PLOT.left + (x / xs.max) * (PLOT.right - PLOT.left), PLOT.left, PLOT.right);
  const py = (y: number): number => clamp(PLOT.bottom - (y / ys.max) * (PLOT.bottom - PLOT.top), PLOT.top, PLOT.bottom);
  const lines = series.map((s, i) => {
    const points = s.points.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
    return `<polyline fill="none" stroke="${seriesColor(i)}" stroke-width="2" points="${points}"><title>${escapeHtml(s.name)}</title></polyline>`;
  });
  const xTicks = xs.ticks.map((t) => `<line x1="${px(t).toFixed(1)}" y1="${PLOT.bottom}" x2="${px(t).toFixed(1)}" y2="${PLOT.bottom + 5}" stroke="#555"/><text x="${px(t).toFixed(1)}" y="${PLOT.bottom + 18}" text-anchor="middle">${escapeHtml(xAxis.format(t))}</text>`);
  return frame(title, [...yGrid(ys, py, yAxis), ...xTicks, axisLines(), `<text x="${(PLOT.left + PLOT.right) / 2}" y="${PLOT.bottom + 34}" text-anchor="middle" class="axis">${escapeHtml(xAxis.label)}</text>`, ...lines, legend(series.map((s) => s.name))]);
}

export interface BarGroup {
  readonly label: string;
  /** One value per series, in the order of the chart's series names. */
  readonly values: readonly number[];
  /** A second line under the label (the pooling study's saving). */
  readonly note?: string;
}

/**
 * Groups of bars, one bar per series in each group, over a y axis starting at 0. `colorIndexes`
 * keeps a policy's colour when only some policies are charted.
 */
export function barChart(title: string, seriesNames: readonly string[], groups: readonly BarGroup[], yAxis: Axis, colorIndexes?: readonly number[]): string {
  const color = (si: number): string => seriesColor(colorIndexes?.[si] ?? si);
  const ys = niceScale(yAxis.max ?? Math.max(0, ...groups.flatMap((g) => g.values)));
  const py = (y: number): number => clamp(PLOT.bottom - (y / ys.max) * (PLOT.bottom - PLOT.top), PLOT.top, PLOT.bottom);
  const groupWidth = (PLOT.right - PLOT.left) / Math.max(1, groups.length);
  const barWidth = (groupWidth * 0.8) / Math.max(1, seriesNames.length);
  const labelChars = Math.max(4, Math.floor(groupWidth / 7));
  const parts = groups.flatMap((g, gi) => {
    const x0 = PLOT.left + gi * groupWidth + groupWidth * 0.1;
    const centre = (PLOT.left + (gi + 0.5) * groupWidth).toFixed(1);
    const bars = g.values.map((v, si) => {
      const top = py(v);
      const tip = `${seriesNames[si] ?? ''} · ${g.label}: ${yAxis.format(v)}`;
      return `<rect x="${(x0 + si * barWidth).toFixed(1)}" y="${top.toFixed(1)}" width="${Math.max(1, barWidth - 2).toFixed(1)}" height="${(PLOT.bottom - top).toFixed(1)}" fill="${color(si)}"><title>${escapeHtml(tip)}</title></rect>`;
    });
    const label = `<text x="${centre}" y="${PLOT.bottom + 16}" text-anchor="middle"><title>${escapeHtml(g.label)}</title>${escapeHtml(shorten(g.label, labelChars))}</text>`;
    const note = g.note === undefined ? [] : [`<text x="${centre}" y="${PLOT.bottom + 30}" text-anchor="middle" class="note">${escapeHtml(shorten(g.note, labelChars))}</text>`];
    return [...bars, label, ...note];
  });
  return frame(title, [...yGrid(ys, py, yAxis), axisLines(), ...parts, legend(seriesNames, colorIndexes)]);
}

function frame(title: string, parts: readonly string[]): string {
  return `<svg viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" role="img" aria-label="${escapeHtml(title)}" class="chart"><text x="${PLOT.left}" y="20" class="title">${escapeHtml(title)}</text>${parts.join('')}</svg>`;
}

function yGrid(scale: Scale, py: (y: number) => number, axis: Axis): string[] {
  const ticks = scale.ticks.map((t) => `<line x1="${PLOT.left}" y1="${py(t).toFixed(1)}" x2="${PLOT.right}" y2="${py(t).toFixed(1)}" stroke="#e5e7eb"/><text x="${PLOT.left - 6}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end">${escapeHtml(axis.format(t))}</text>`);
  const label = `<text x="14" y="${(PLOT.top + PLOT.bottom) / 2}" text-anchor="middle" transform="rotate(-90 14 ${(PLOT.top + PLOT.bottom) / 2})" class="axis">${escapeHtml(axis.label)}</text>`;
  return [...ticks, label];
}

function axisLines(): string {
  return `<line x1="${PLOT.left}" y1="${PLOT.bottom}" x2="${PLOT.right}" y2="${PLOT.bottom}" stroke="#555"/><line x1="${PLOT.left}" y1="${PLOT.top}" x2="${PLOT.left}" y2="${PLOT.bottom}" stroke="#555"/>`;
}

function legend(names: readonly string[], colorIndexes?: readonly number[]): string {
  let x: number = PLOT.left;
  const y = CHART_HEIGHT - 12;
  return names
    .map((name, i) => {
      const shown = shorten(name, 24);
      const item = `<rect x="${x}" y="${y - 9}" width="12" height="10" fill="${seriesColor(colorIndexes?.[i] ?? i)}"/><text x="${x + 16}" y="${y}">${escapeHtml(shown)}</text>`;
      x = Math.min(CHART_WIDTH - 40, x + 28 + shown.length * 7);
      return item;
    })
    .join('');
}

interface Scale {
  readonly max: number;
  readonly ticks: readonly number[];
}

/** 0 to a round top (1, 2 or 5 × 10^k steps, about five of them) covering `max`. */
export function niceScale(max: number): Scale {
  if (!(max > 0) || !Number.isFinite(max)) return { max: 1, ticks: [0, 1] };
  const rough = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= rough) ?? 10) * magnitude;
  const top = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; i * step <= top + step * 1e-9; i++) ticks.push(Number((i * step).toPrecision(12)));
  return { max: top, ticks };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Number.isFinite(v) ? v : lo));
}

function shorten(text: string, chars: number): string {
  return text.length <= chars ? text : `${text.slice(0, Math.max(1, chars - 1))}…`;
}
