/// <reference types="jest" />
import { QueryFailedError } from 'typeorm';
import {
  isCheckViolation,
  isExclusionViolation,
  isForeignKeyViolation,
  isUniqueViolation,
  pgErrorOf,
  PG_ERRORS,
} from './pg-errors';

function pgError(code: string, constraint?: string): Error {
  return Object.assign(new Error('refused'), { code, ...(constraint === undefined ? {} : { constraint }) });
}

describe('pg error helpers', () => {
  it('read a node-postgres error and the same error wrapped by TypeORM', () => {
    const raw = pgError(PG_ERRORS.exclusionViolation, 'expansion_extents_no_overlap');
    const wrapped = new QueryFailedError('INSERT …', [], raw);
    for (const error of [raw, wrapped]) {
      expect(isExclusionViolation(error)).toBe(true);
      expect(isExclusionViolation(error, 'expansion_extents_no_overlap')).toBe(true);
      expect(isExclusionViolation(error, 'another')).toBe(false);
      expect(isUniqueViolation(error)).toBe(false);
    }
    expect(pgErrorOf(wrapped)).toEqual({ code: '23P01', constraint: 'expansion_extents_no_overlap' });
  });

  it('tell each violation by its SQLSTATE', () => {
    expect(isUniqueViolation(pgError('23505', 'tenants_api_key_prefix_key'), 'tenants_api_key_prefix_key')).toBe(true);
    expect(isCheckViolation(pgError('23514', 'hosts_mapped_within_window'), 'hosts_mapped_within_window')).toBe(true);
    expect(isForeignKeyViolation(pgError('23503'))).toBe(true);
    expect(isCheckViolation(pgError('23505'))).toBe(false);
  });

  it('answer false for anything that is not a PostgreSQL error', () => {
    for (const value of [undefined, null, 'boom', 42, new Error('plain'), { code: 23505 }]) {
      expect(pgErrorOf(value)).toBeUndefined();
      expect(isUniqueViolation(value)).toBe(false);
    }
  });
});
