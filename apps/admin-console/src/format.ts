// How the console writes numbers, sizes, times and money: one place, so every page agrees.

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

export function formatGiB(sizeGiB: number): string {
  return `${(Number.isInteger(sizeGiB) ? integer : decimal).format(sizeGiB)} GiB`;
}

/** A 0..1 fraction as a percentage. */
export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

export function formatCount(count: number): string {
  return integer.format(count);
}

/** 850 ms, 1.25 s, 3 min 5 s. */
export function formatDurationMs(durationMs: number): string {
  if (durationMs < 1_000) return `${Math.round(durationMs)} ms`;
  if (durationMs < 60_000) return `${(durationMs / 1_000).toFixed(2)} s`;
  const seconds = Math.round(durationMs / 1_000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** A latency figure for the SLA tables: ms with one decimal under 10. */
export function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${integer.format(ms)} ms`;
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3_600) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3_600).toFixed(1)} h`;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** HH:MM:SS in the operator's time zone. */
export function formatClock(at: Date): string {
  return `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
}

/** YYYY-MM-DD HH:MM:SS in the operator's time zone; '—' for none. */
export function formatTimestamp(iso: string | null): string {
  if (iso === null) return '—';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${formatClock(at)}`;
}

/** Digits after the point for a currency (2 for EUR, 0 for JPY), 2 for a code Intl does not know. */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Integer minor units → "€1,234.56" (or "1234.56 XYZ" for a code Intl does not know). */
export function formatMoney(amountMinor: number, currency: string): string {
  const digits = currencyDigits(currency);
  const amount = amountMinor / 10 ** digits;
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(amount);
  } catch {
    return `${amount.toFixed(digits)} ${currency}`;
  }
}

/** A chart bucket's start: the time of day for a day's window, with the date for longer ones. */
export function formatBucketStart(iso: string, withDate: boolean): string {
  const at = new Date(iso);
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}`;
  return withDate ? `${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${time}` : time;
}

/** "1 extent", "3 extents". */
export function plural(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`;
}
