import { ProblemError } from '@mxs/service-kit';

/** Billing's errors: a code per case and the HTTP status it means, rendered as problem+json. */
const STATUS = {
  'tenant-not-found': 404,
  'plan-not-found': 404,
  'invoice-not-found': 404,
  'invalid-plan': 400,
  'invalid-period': 400,
  'plan-exists': 409,
  'plan-in-use': 409,
  'currency-change': 409,
  'period-finalized': 409,
  'invoice-not-ready': 409,
  'no-plan': 409,
} as const;

export type BillingErrorCode = keyof typeof STATUS;

const TITLE: Record<BillingErrorCode, string> = {
  'tenant-not-found': 'Tenant not found',
  'plan-not-found': 'Plan not found',
  'invoice-not-found': 'Invoice not found',
  'invalid-plan': 'Invalid plan',
  'invalid-period': 'Invalid billing period',
  'plan-exists': 'Plan already exists',
  'plan-in-use': 'Plan in use',
  'currency-change': 'Currency change inside a month',
  'period-finalized': 'Billing period already finalized',
  'invoice-not-ready': 'Invoice cannot be finalized yet',
  'no-plan': 'No plan to rate with',
};

export class BillingError extends ProblemError {
  constructor(
    readonly code: BillingErrorCode,
    message: string,
    extra: Readonly<Record<string, unknown>> = {},
  ) {
    super({ status: STATUS[code], slug: code, title: TITLE[code], detail: message, extra: { ...extra } });
  }
}
