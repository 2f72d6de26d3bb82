import { ProblemError } from '@mxs/service-kit';

/**
 * The placement API's errors: one class, a code per case, and the HTTP status each code means.
 * The service kit's problem filter renders them as RFC 9457 documents with a stable `type`.
 */
const STATUS = {
  'vm-not-found': 404,
  'expansion-not-found': 404,
  'tenant-not-found': 404,
  'device-not-found': 404,
  'host-not-found': 404,
  'switch-not-found': 404,
  'idempotency-key-required': 400,
  'invalid-fleet': 400,
  'validation-failed': 400,
  'over-quota': 403,
  'placement-conflict': 409,
  'idempotency-key-reused': 409,
  'expansion-not-removable': 409,
  'fleet-in-use': 409,
  'vm-exists': 409,
  'vm-has-expansions': 409,
  'tenant-exists': 409,
  'no-capacity': 422,
  'fleet-not-loaded': 409,
  'fault-refused': 422,
  'simulator-not-configured': 503,
  'simulator-unreachable': 502,
  'billing-not-configured': 503,
  'billing-unreachable': 502,
  'console-not-built': 503,
} as const;

export type ApiErrorCode = keyof typeof STATUS;

const TITLE: Record<ApiErrorCode, string> = {
  'vm-not-found': 'VM not found',
  'expansion-not-found': 'Expansion not found',
  'tenant-not-found': 'Tenant not found',
  'device-not-found': 'Device not found',
  'host-not-found': 'Host not found',
  'switch-not-found': 'Switch not found',
  'idempotency-key-required': 'Idempotency-Key header required',
  'invalid-fleet': 'Invalid fleet',
  'validation-failed': 'Request validation failed',
  'over-quota': 'Over quota',
  'placement-conflict': 'Placement conflict',
  'idempotency-key-reused': 'Idempotency key reused with another request',
  'expansion-not-removable': 'Expansion cannot be removed in its state',
  'fleet-in-use': 'Fleet in use',
  'vm-exists': 'VM already registered',
  'vm-has-expansions': 'VM still has expansions',
  'tenant-exists': 'Tenant already exists',
  'no-capacity': 'No capacity',
  'fleet-not-loaded': 'No fleet loaded',
  'fault-refused': 'The simulator refused the fault',
  'simulator-not-configured': 'No host simulator configured',
  'simulator-unreachable': 'Host simulator unreachable',
  'billing-not-configured': 'No billing service configured',
  'billing-unreachable': 'Billing service unreachable',
  'console-not-built': 'Admin console not built',
};

export class ApiError extends ProblemError {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** Extra members of the problem document (a rejection's reason code, an explanation…). */
    extra: Readonly<Record<string, unknown>> = {},
  ) {
    super({ status: STATUS[code], slug: code, title: TITLE[code], detail: message, extra: { ...extra } });
  }
}
