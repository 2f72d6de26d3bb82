/// <reference types="jest" />
import { configuredEndpoints, DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, isLoopbackUrl, portOf, redactUrl, withPort } from './endpoints';
import { StackError } from './stack-error';

describe('configuredEndpoints', () => {
  it('uses the local defaults when DATABASE_URL and REDIS_URL are unset or blank', () => {
    expect(configuredEndpoints({})).toEqual({
      postgres: { url: 'postgres://postgres@127.0.0.1:5432/mxs', fromEnv: false },
      redis: { url: 'redis://127.0.0.1:6379', fromEnv: false },
    });
    expect(configuredEndpoints({ DATABASE_URL: '  ', REDIS_URL: '' }).postgres.url).toBe(DEFAULT_DATABASE_URL);
    expect(DEFAULT_REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it('takes the environment, trimmed, and remembers that the operator chose it', () => {
    const endpoints = configuredEndpoints({ DATABASE_URL: ' postgresql://app:pw@db.internal/mxs ', REDIS_URL: 'rediss://cache:6380/2' });
    expect(endpoints.postgres).toEqual({ url: 'postgresql://app:pw@db.internal/mxs', fromEnv: true });
    expect(endpoints.redis).toEqual({ url: 'rediss://cache:6380/2', fromEnv: true });
  });

  it('refuses a value that is not a URL of the right scheme, without printing its password', () => {
    expect(() => configuredEndpoints({ DATABASE_URL: 'not a url' })).toThrow(StackError);
    expect(() => configuredEndpoints({ DATABASE_URL: 'mysql://u:secret@h/db' })).toThrow(/DATABASE_URL must start with postgres:\/\/ or postgresql:\/\//);
    expect(() => configuredEndpoints({ DATABASE_URL: 'mysql://u:secret@h/db' })).not.toThrow(/secret/);
    expect(() => configuredEndpoints({ REDIS_URL: 'http://127.0.0.1:6379' })).toThrow(/REDIS_URL must start with redis:\/\/ or rediss:\/\//);
  });
});

describe('URL helpers', () => {
  it('reads the port, or the scheme default when the URL names none', () => {
    expect(portOf('postgres', 'postgres://u@h:6543/db')).toBe(6543);
    expect(portOf('postgres', 'postgres://u@h/db')).toBe(5432);
    expect(portOf('redis', 'redis://h')).toBe(6379);
  });

  it('moves a URL to another port and keeps the rest', () => {
    expect(withPort('postgres://app:pw@127.0.0.1:5432/mxs?sslmode=disable', 5433)).toBe('postgres://app:pw@127.0.0.1:5433/mxs?sslmode=disable');
    expect(withPort('redis://127.0.0.1/0', 6380)).toBe('redis://127.0.0.1:6380/0');
  });

  it('tells loopback hosts from others', () => {
    for (const url of ['postgres://u@127.0.0.1/db', 'postgres://u@localhost:5432/db', 'redis://[::1]:6379', 'redis://127.1.2.3']) {
      expect(isLoopbackUrl(url)).toBe(true);
    }
    for (const url of ['postgres://u@db.internal/db', 'redis://10.0.0.5:6379', 'redis://128.0.0.1']) {
      expect(isLoopbackUrl(url)).toBe(false);
    }
  });

  it('masks passwords for printing', () => {
    expect(redactUrl('redis://:hunter2@127.0.0.1:6379')).toBe('redis://:***@127.0.0.1:6379');
    expect(redactUrl('postgres://postgres@127.0.0.1:5432/mxs')).toBe('postgres://postgres@127.0.0.1:5432/mxs');
  });
});
