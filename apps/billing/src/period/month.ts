import { BillingError } from '../errors';

/** A UTC calendar month: `[startSec, endSec)` in epoch seconds, named `YYYY-MM`. */
export interface Month {
  readonly name: string;
  readonly startSec: number;
  readonly endSec: number;
}

const MONTH_NAME = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function monthOf(year: number, month1to12: number): Month {
  const startMs = Date.UTC(year, month1to12 - 1, 1);
  const endMs = Date.UTC(year, month1to12, 1);
  return { name: `${String(year).padStart(4, '0')}-${String(month1to12).padStart(2, '0')}`, startSec: startMs / 1000, endSec: endMs / 1000 };
}

/** The month holding `epochSec`. */
export function monthAt(epochSec: number): Month {
  const d = new Date(epochSec * 1000);
  return monthOf(d.getUTCFullYear(), d.getUTCMonth() + 1);
}

/** `YYYY-MM` (or a `YYYY-MM-01` date) → the month; a 400 with the field named otherwise. */
export function parseMonth(text: string, field = 'period'): Month {
  const match = MONTH_NAME.exec(text.slice(0, 7));
  if (match === null || (text.length !== 7 && text.slice(7) !== '-01')) {
    throw new BillingError('invalid-period', `${field} must be a month written YYYY-MM, got "${text}"`, { errors: [{ path: field, message: 'expected YYYY-MM' }] });
  }
  const year = Number(match[1]);
  if (year < 1970) throw new BillingError('invalid-period', `${field} must be 1970 or later, got "${text}"`, { errors: [{ path: field, message: 'expected 1970 or later' }] });
  return monthOf(year, Number(match[2]));
}

export function previousMonth(month: Month): Month {
  return monthAt(month.startSec - 1);
}

/** The `date` column value for a month: its first day. */
export function periodDate(month: Month): string {
  return `${month.name}-01`;
}

export function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}
