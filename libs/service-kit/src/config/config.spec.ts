/// <reference types="jest" />
import { z } from 'zod';
import { baseConfigSchema } from './base-config';
import { envBoolean, envInteger } from './env';
import { ConfigError, loadConfig } from './load-config';

const ADMIN = { MXS_ADMIN_KEY: 'a-long-enough-admin-key' };

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the local defaults', () => {
    expect(loadConfig(baseConfigSchema, ADMIN)).toEqual({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/mxs',
      REDIS_URL: 'redis://127.0.0.1:6379',
      PORT: 3000,
      MXS_ADMIN_KEY: ADMIN.MXS_ADMIN_KEY,
      LOG_LEVEL: 'info',
      MXS_QUEUE_PREFIX: '{mxs}',
      MXS_RATE_LIMIT_PER_MINUTE: 600,
      MXS_TRUST_PROXY: false,
    });
  });

  it('parses values and treats empty ones as unset', () => {
    const config = loadConfig(baseConfigSchema, {
      ...ADMIN,
      PORT: '8080',
      LOG_LEVEL: 'debug',
      MXS_RATE_LIMIT_PER_MINUTE: '0',
      MXS_TRUST_PROXY: 'loopback, 10.0.0.0/8',
      REDIS_URL: '',
    });
    expect(config).toMatchObject({ PORT: 8080, LOG_LEVEL: 'debug', MXS_RATE_LIMIT_PER_MINUTE: 0, REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(config.MXS_TRUST_PROXY).toEqual(['loopback', '10.0.0.0/8']);
    expect(loadConfig(baseConfigSchema, { ...ADMIN, MXS_TRUST_PROXY: '2' }).MXS_TRUST_PROXY).toBe(2);
    expect(loadConfig(baseConfigSchema, { ...ADMIN, MXS_TRUST_PROXY: 'true' }).MXS_TRUST_PROXY).toBe(true);
  });

  it('lists every bad variable at once, one line each, with what was expected and what it got', () => {
    const error = configError(() =>
      loadConfig(baseConfigSchema, {
        PORT: 'x',
        DATABASE_URL: 'mysql://root:s3cret@db/mxs',
        LOG_LEVEL: 'loud',
        MXS_RATE_LIMIT_PER_MINUTE: '-1',
      }),
    );
    expect(error.code).toBe('invalid-config');
    expect(error.problems).toEqual([
      'DATABASE_URL: expected a postgres or postgresql URL, got "mysql://root:***@db/mxs"',
      'PORT: expected integer 1..65535, got "x"',
      'MXS_ADMIN_KEY: expected a secret of at least 16 characters, but it is not set',
      'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      'MXS_RATE_LIMIT_PER_MINUTE: expected integer 0..1000000, got "-1"',
    ]);
    expect(error.message).toContain('Invalid configuration:\n  DATABASE_URL:');
  });

  it('never prints a secret, only its length', () => {
    const error = configError(() => loadConfig(baseConfigSchema, { MXS_ADMIN_KEY: 'short-secret' }));
    expect(error.problems).toEqual(['MXS_ADMIN_KEY: expected a secret of at least 16 characters, got a value of 12 characters']);
    expect(error.message).not.toContain('short-secret');
  });

  it('takes app extensions of the base schema', () => {
    const schema = baseConfigSchema.extend({
      MXS_WORKERS: envInteger({ min: 1, max: 64, default: 4 }),
      MXS_DEMO: envBoolean(false),
      MXS_REGION: z.string(),
    });
    expect(loadConfig(schema, { ...ADMIN, MXS_DEMO: '1', MXS_REGION: 'eu' })).toMatchObject({
      MXS_WORKERS: 4,
      MXS_DEMO: true,
      MXS_REGION: 'eu',
    });
    expect(configError(() => loadConfig(schema, { ...ADMIN, MXS_DEMO: 'maybe' })).problems).toEqual([
      'MXS_DEMO: expected true, false, 1 or 0, got "maybe"',
      'MXS_REGION: expected string, but it is not set',
    ]);
  });
});
