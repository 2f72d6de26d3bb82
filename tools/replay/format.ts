import { currencyMinorDigits, formatMinor } from '@mxs/rating';

/** How the report's figures are written, the same in the table and on the HTML page. */

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export function formatInteger(n: number): string {
  return grouped.format(n);
}

const tick = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** An axis tick: grouped, with the fraction a small scale needs (0.5, not a second "1"). */
export function formatTick(n: number): string {
  return tick.format(n);
}

/** 0.8734 → "87.3%". */
export function formatPercent(fraction: number): string {
  return `${oneDecimal.format(fraction * 100)}%`;
}

/** 12345.6 → "12,346 GiB"; below 10 one decimal is kept, so small strandings do not read as 0. */
export function formatGiB(gib: number): string {
  return `${Math.abs(gib) < 10 && gib !== Math.round(gib) ? oneDecimal.format(gib) : grouped.format(gib)} GiB`;
}

/** Seconds as an operator reads a duration: "850 ms", "12.3s", "4m05s", "2h07m". */
export function formatDurationSec(sec: number): string {
  if (!Number.isFinite(sec)) return '?';
  if (sec < 1) return `${Math.round(sec * 1000)} ms`;
  if (sec < 60) return `${oneDecimal.format(sec)}s`;
  const whole = Math.round(sec);
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}

/** Integer minor units → "1,234.56 USD" (2 digits for a code we do not price in). */
export function formatMoney(amountMinor: number, currency: string): string {
  const text = formatMinor(amountMinor, currencyMinorDigits(currency) ?? 2);
  const [whole = '', fraction] = text.replace('-', '').split('.');
  const sign = text.startsWith('-') ? '-' : '';
  const withGroups = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${withGroups}${fraction === undefined ? '' : `.${fraction}`} ${currency}`;
}

/** Reasons by count, most first, ties by name: the order both renderers list them in. */
export function reasonsByCount(rejectionsByReason: Readonly<Record<string, number>>): [string, number][] {
  return Object.entries(rejectionsByReason)
    .filter(([, count]) => count > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
}
