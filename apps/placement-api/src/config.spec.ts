/// <reference types="jest" />
import { ConfigError } from '@mxs/service-kit';
import { loadApiConfig } from './config';

const ADMIN = 'an-admin-key-long-enough';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadApiConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('loadApiConfig', () => {
  it('fills in the local defaults around the one required variable', () => {
    expect(loadApiConfig({ MXS_ADMIN_KEY: ADMIN })).toMatchObject({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/mxs',
      REDIS_URL: 'redis://127.0.0.1:6379',
      PORT: 3000,
      MXS_ADMIN_KEY: ADMIN,
      LOG_LEVEL: 'info',
      MXS_QUEUE_PREFIX: '{mxs}',
      MXS_RATE_LIMIT_PER_MINUTE: 600,
      MXS_DB_POOL_SIZE: 20,
      MXS_OUTBOX_RELAY: true,
      MXS_AUTOMATION_CONCURRENCY: 8,
    });
  });

  it('reads every variable given', () => {
    const config = loadApiConfig({
      MXS_ADMIN_KEY: ADMIN,
      DATABASE_URL: 'postgresql://app:pw@db.internal:6543/mxs',
      REDIS_URL: 'rediss://cache.internal:6380',
      PORT: '8080',
      LOG_LEVEL: 'debug',
      MXS_RATE_LIMIT_PER_MINUTE: '0',
      MXS_DB_POOL_SIZE: '50',
      MXS_OUTBOX_RELAY: 'false',
      MXS_AUTOMATION_CONCURRENCY: '0',
    });
    expect(config).toMatchObject({ PORT: 8080, LOG_LEVEL: 'debug', MXS_RATE_LIMIT_PER_MINUTE: 0, MXS_DB_POOL_SIZE: 50, MXS_OUTBOX_RELAY: false, MXS_AUTOMATION_CONCURRENCY: 0 });
  });

  it('lists every bad variable at once, one line each, naming what it expected', () => {
    const problems = problemsOf({
      MXS_ADMIN_KEY: 'short',
      DATABASE_URL: 'mysql://root@127.0.0.1/mxs',
      REDIS_URL: 'not a url',
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      MXS_RATE_LIMIT_PER_MINUTE: '-1',
      MXS_DB_POOL_SIZE: '0',
      MXS_OUTBOX_RELAY: 'maybe',
      MXS_AUTOMATION_CONCURRENCY: '65',
    });
    expect(problems.map((line) => line.split(':')[0]).sort()).toEqual([
      'DATABASE_URL',
      'LOG_LEVEL',
      'MXS_ADMIN_KEY',
      'MXS_AUTOMATION_CONCURRENCY',
      'MXS_DB_POOL_SIZE',
      'MXS_OUTBOX_RELAY',
      'MXS_RATE_LIMIT_PER_MINUTE',
      'PORT',
      'REDIS_URL',
    ]);
    expect(problems).toEqual(
      expect.arrayContaining([
        'PORT: expected integer 1..65535, got "eighty"',
        'MXS_AUTOMATION_CONCURRENCY: expected integer 0..64, got "65"',
        'MXS_DB_POOL_SIZE: expected integer 1..200, got "0"',
        expect.stringMatching(/^DATABASE_URL: expected a postgres or postgresql URL/),
        expect.stringMatching(/^MXS_OUTBOX_RELAY: expected true, false, 1 or 0/),
      ]),
    );
    // A secret's value is never echoed, only its length.
    const adminLine = problems.find((line) => line.startsWith('MXS_ADMIN_KEY')) ?? '';
    expect(adminLine).toContain('5 characters');
    expect(adminLine).not.toContain('short');
  });

  it('says the admin key is missing when it is not set', () => {
    expect(problemsOf({})).toEqual([expect.stringMatching(/^MXS_ADMIN_KEY: .*not set$/)]);
  });

  it('redacts a password in a bad URL', () => {
    const [line] = problemsOf({ MXS_ADMIN_KEY: ADMIN, DATABASE_URL: 'mysql://app:hunter2@db/mxs' });
    expect(line).toContain('DATABASE_URL');
    expect(line).not.toContain('hunter2');
  });
});
