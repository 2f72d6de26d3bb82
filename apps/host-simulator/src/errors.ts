import { HOST_AGENT_ERROR_CODES, HostAgentError } from '@mxs/host-agent';
import type { HostAgentErrorCode } from '@mxs/host-agent';
import { registerProblemMapping } from '@mxs/service-kit';
import { TopologyError } from '@mxs/topology';

/** The HTTP status each host-agent code answers with; clients switch on the problem's `code`. */
const STATUS: Record<HostAgentErrorCode, number> = {
  unreachable: 502,
  'host-down': 503,
  ebusy: 409,
  busy: 409,
  'device-failed': 409,
  'link-down': 409,
  enomem: 409,
  rejected: 409,
  'not-found': 404,
  conflict: 409,
  'bad-request': 400,
  unauthorized: 401,
};

/** Registers once per process: the model's errors become problem+json with `code` and `transient`. */
export function registerSimulatorProblems(): void {
  registerProblemMapping(HostAgentError, (error) => ({
    status: STATUS[error.code],
    slug: error.code,
    title: error.code,
    detail: error.message,
    extra: { code: error.code, transient: HOST_AGENT_ERROR_CODES[error.code].transient },
  }));
  registerProblemMapping(TopologyError, (error) => ({
    status: 400,
    slug: 'invalid-fleet',
    title: 'Invalid fleet',
    detail: error.message,
    extra: { code: 'bad-request', errors: error.details.map((line) => ({ path: `body.${line.split(':')[0] ?? ''}`, message: line })) },
  }));
}
