/// <reference types="jest" />
// Real servers: the probes against the running ones, and the local PostgreSQL and Redis that
// `npm start` starts from the installed binaries, on free ports, started and stopped for real.
import { ensureDatabase } from '@mxs/persistence';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataDirMajor, findBinDirs, findOnPath, listClusters, startPostgres } from './local-postgres';
import { redisServerArgs, startRedis } from './local-redis';
import { findFreePort, isPortFree, probePostgres, probeRedis } from './probes';
import { chooseBinDir } from './service-plan';

const serverUrl = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const quiet = () => undefined;

describe('probes', () => {
  it('find the running PostgreSQL and Redis, and count a missing database as answering', async () => {
    expect(await probePostgres(serverUrl)).toEqual({ state: 'up' });
    const missing = new URL(serverUrl);
    missing.pathname = '/mxs_no_such_database';
    expect(await probePostgres(missing.toString())).toEqual({ state: 'up' });
    expect(await probeRedis(redisUrl)).toEqual({ state: 'up' });
  });

  it('tell a closed port (down) from a server that refuses us', async () => {
    const port = await findFreePort();
    expect(await probePostgres(`postgres://postgres@127.0.0.1:${port}/mxs`, 1_000)).toEqual({ state: 'down', reason: expect.stringContaining('ECONNREFUSED') });
    expect(await probeRedis(`redis://127.0.0.1:${port}`, 1_000)).toEqual({ state: 'down', reason: expect.stringContaining('ECONNREFUSED') });
    const stranger = new URL(serverUrl);
    stranger.username = 'mxs_no_such_role';
    expect(await probePostgres(stranger.toString())).toEqual({ state: 'refused', reason: expect.stringContaining('mxs_no_such_role') });
  });

  it('see whether a port is taken', async () => {
    expect(await isPortFree(new URL(serverUrl).port === '' ? 5432 : Number(new URL(serverUrl).port))).toBe(false);
    expect(await isPortFree(await findFreePort())).toBe(true);
  });
});

describe('a local Redis', () => {
  it('runs without persistence on the port asked for, and stops', async () => {
    expect(redisServerArgs(7000)).toEqual(['--port', '7000', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no']);
    const serverPath = findOnPath('redis-server');
    expect(serverPath).not.toBeNull();
    const port = await findFreePort();
    const redis = await startRedis(serverPath ?? '', `redis://127.0.0.1:${port}/0`, tmpdir(), quiet);
    expect(redis.url).toBe(`redis://127.0.0.1:${port}/0`);
    expect(await probeRedis(redis.url)).toEqual({ state: 'up' });
    await redis.stop();
    expect(redis.process.running).toBe(false);
    expect(await probeRedis(redis.url, 500)).toMatchObject({ state: 'down' });
  });

  it('takes another port when the one asked for is taken', async () => {
    const serverPath = findOnPath('redis-server') ?? '';
    const busy = Number(new URL(redisUrl).port || 6379);
    const redis = await startRedis(serverPath, `redis://127.0.0.1:${busy}`, tmpdir(), quiet);
    try {
      expect(redis.url).not.toBe(`redis://127.0.0.1:${busy}`);
      expect(await probeRedis(redis.url)).toEqual({ state: 'up' });
    } finally {
      await redis.stop();
    }
  });
});

describe('a local PostgreSQL', () => {
  const parent = mkdtempSync(join(tmpdir(), 'mxs-stack-pg-'));
  // As root the server runs as `postgres`, which must reach the data directory through here.
  chmodSync(parent, 0o755);
  const dataDir = join(parent, 'pg');
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('is found among the installed binaries and clusters', () => {
    expect(findBinDirs().length).toBeGreaterThan(0);
    expect(Array.isArray(listClusters())).toBe(true);
  });

  it('is initialized with trust auth in its own directory, started on a free port, stopped, and started again from the same data', async () => {
    const binDir = chooseBinDir(findBinDirs(), null);
    expect(binDir).not.toBeNull();
    const port = await findFreePort();
    const configured = `postgres://postgres@127.0.0.1:${port}/mxs`;
    const first = await startPostgres([{ kind: 'local', binDir: binDir?.dir ?? '', dataDir, initialized: false }], configured, quiet);
    try {
      expect(first.url).toBe(configured);
      expect(await ensureDatabase(first.url)).toBe(true);
      expect(await probePostgres(first.url)).toEqual({ state: 'up' });
    } finally {
      await first.stop();
    }
    expect(await probePostgres(first.url, 500)).toMatchObject({ state: 'down' });
    expect(dataDirMajor(dataDir)).toBe(binDir?.major ?? null);

    const again = await startPostgres([{ kind: 'local', binDir: binDir?.dir ?? '', dataDir, initialized: true }], configured, quiet);
    try {
      expect(await ensureDatabase(again.url)).toBe(false); // the same data: the database is still there
    } finally {
      await again.stop();
    }
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
  });

  it('reports every attempt when none starts', async () => {
    await expect(
      startPostgres([{ kind: 'local', binDir: '/nonexistent/bin', dataDir: join(parent, 'never'), initialized: true }], 'postgres://postgres@127.0.0.1:1/mxs', quiet),
    ).rejects.toThrow(/could not start PostgreSQL:\n- pg_ctl start failed/);
  });
});
