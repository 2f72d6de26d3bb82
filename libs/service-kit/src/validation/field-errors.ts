import type { z } from 'zod';
import { ProblemError } from '../problems/problem-error';

/** Where a validated value came from; it prefixes every error path (`body.sizeGiB`). */
export type RequestLocation = 'body' | 'query' | 'params' | 'headers';

export interface FieldError {
  path: string;
  message: string;
}

/** `body`, `params.vmId`, `body.extents[0].deviceId`: one string a client can show next to a field. */
export function formatPath(root: string, segments: readonly PropertyKey[]): string {
  let path = root;
  for (const segment of segments) {
    path += typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`;
  }
  return path;
}

/** One entry per offending field; an unknown-keys issue becomes one entry per unknown key. */
export function fieldErrors(root: string, issues: readonly z.core.$ZodIssue[]): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) errors.push({ path: formatPath(root, [...issue.path, key]), message: 'unknown field' });
    } else {
      errors.push({ path: formatPath(root, issue.path), message: issue.message });
    }
  }
  return errors;
}

export function validationProblem(errors: FieldError[]): ProblemError {
  const fields = errors.length === 1 ? '1 field' : `${errors.length} fields`;
  return new ProblemError({
    status: 400,
    slug: 'validation-failed',
    title: 'Request validation failed',
    detail: `${fields} failed validation: ${errors.map((e) => e.path).join(', ')}`,
    extra: { errors },
  });
}
