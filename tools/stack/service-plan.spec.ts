/// <reference types="jest" />
import type { PgCluster, PostgresFacts, RedisFacts } from './service-plan';
import { chooseBinDir, parseClusters, planPostgres, planRedis, unavailableMessage } from './service-plan';

const local = { url: 'postgres://postgres@127.0.0.1:5432/mxs', fromEnv: false };
const down = { state: 'down', reason: 'connect ECONNREFUSED 127.0.0.1:5432' } as const;
const cluster = (over: Partial<PgCluster> = {}): PgCluster => ({ version: '15', name: 'main', port: 5432, status: 'down', owner: 'postgres', dataDir: '/var/lib/postgresql/15/main', ...over });
const pg = (over: Partial<PostgresFacts> = {}): PostgresFacts => ({
  endpoint: local,
  probe: down,
  clusters: [],
  binDirs: [],
  dataDir: '/repo/tmp/local/pg',
  dataDirMajor: null,
  ...over,
});
const redis = (over: Partial<RedisFacts> = {}): RedisFacts => ({ endpoint: { url: 'redis://127.0.0.1:6379', fromEnv: false }, probe: down, serverPath: '/usr/bin/redis-server', ...over });

describe('planPostgres', () => {
  it('uses a server that answers, whatever is installed', () => {
    expect(planPostgres(pg({ probe: { state: 'up' }, clusters: [cluster()] }))).toEqual({ kind: 'use', url: local.url });
  });

  it('gives up on a server that answers but refuses us: another server would not help', () => {
    const plan = planPostgres(pg({ probe: { state: 'refused', reason: 'password authentication failed' }, binDirs: [{ dir: '/bin', major: 16 }] }));
    expect(plan).toEqual({ kind: 'fail', problem: expect.stringContaining('answers but refuses us: password authentication failed') });
  });

  it('never stands in for a remote server named in DATABASE_URL', () => {
    const plan = planPostgres(pg({ endpoint: { url: 'postgres://app:pw@db.internal/mxs', fromEnv: true }, binDirs: [{ dir: '/bin', major: 16 }] }));
    expect(plan.kind).toBe('fail');
    expect(plan.kind === 'fail' && plan.problem).toMatch(/db\.internal.*does not answer.*unset DATABASE_URL/);
    expect(plan.kind === 'fail' && plan.problem).not.toMatch(/pw/);
  });

  it('starts a stopped cluster first (the one on the asked port), then falls back to a private data directory', () => {
    const plan = planPostgres(
      pg({
        clusters: [cluster({ name: 'other', port: 5433 }), cluster({ name: 'main', port: 5432 }), cluster({ name: 'busy', status: 'online' })],
        binDirs: [{ dir: '/usr/lib/postgresql/15/bin', major: 15 }],
      }),
    );
    expect(plan).toEqual({
      kind: 'start',
      attempts: [
        { kind: 'cluster', cluster: expect.objectContaining({ name: 'main', port: 5432 }) },
        { kind: 'local', binDir: '/usr/lib/postgresql/15/bin', dataDir: '/repo/tmp/local/pg', initialized: false },
      ],
    });
  });

  it('initializes a private data directory when no cluster is stopped, and reuses one initialized before', () => {
    const bins = [{ dir: '/usr/lib/postgresql/15/bin', major: 15 }, { dir: '/usr/lib/postgresql/16/bin', major: 16 }];
    expect(planPostgres(pg({ clusters: [cluster({ status: 'online' })], binDirs: bins }))).toEqual({
      kind: 'start',
      attempts: [{ kind: 'local', binDir: '/usr/lib/postgresql/16/bin', dataDir: '/repo/tmp/local/pg', initialized: false }],
    });
    expect(planPostgres(pg({ binDirs: bins, dataDirMajor: 15 }))).toEqual({
      kind: 'start',
      attempts: [{ kind: 'local', binDir: '/usr/lib/postgresql/15/bin', dataDir: '/repo/tmp/local/pg', initialized: true }],
    });
  });

  it('says which data directory is in the way when only another version is installed', () => {
    const plan = planPostgres(pg({ binDirs: [{ dir: '/usr/lib/postgresql/16/bin', major: 16 }], dataDirMajor: 13 }));
    expect(plan).toEqual({ kind: 'fail', problem: expect.stringMatching(/\/repo\/tmp\/local\/pg holds PostgreSQL 13 data.*16 is installed; delete that directory/) });
  });

  it('asks for the postgresql package when nothing is installed', () => {
    expect(planPostgres(pg())).toEqual({ kind: 'fail', problem: expect.stringContaining('no PostgreSQL server is installed'), install: 'postgresql' });
  });
});

describe('chooseBinDir', () => {
  it('prefers the newest version, and the data directory\'s own version when there is one', () => {
    const bins = [{ dir: 'a', major: 14 }, { dir: 'b', major: null }, { dir: 'c', major: 16 }];
    expect(chooseBinDir(bins, null)?.dir).toBe('c');
    expect(chooseBinDir(bins, 14)?.dir).toBe('a');
    expect(chooseBinDir(bins, 12)?.dir).toBe('b'); // unknown version: worth a try
    expect(chooseBinDir([], null)).toBeNull();
  });
});

describe('planRedis', () => {
  it('uses a Redis that answers, starts an installed one on loopback, and otherwise asks for redis-server', () => {
    expect(planRedis(redis({ probe: { state: 'up' } }))).toEqual({ kind: 'use', url: 'redis://127.0.0.1:6379' });
    expect(planRedis(redis())).toEqual({ kind: 'start', serverPath: '/usr/bin/redis-server' });
    expect(planRedis(redis({ serverPath: null }))).toEqual({ kind: 'fail', problem: expect.stringContaining('redis-server is not installed'), install: 'redis-server' });
    expect(planRedis(redis({ probe: { state: 'refused', reason: 'NOAUTH Authentication required.' } }))).toEqual({ kind: 'fail', problem: expect.stringContaining('NOAUTH') });
    expect(planRedis(redis({ endpoint: { url: 'redis://cache.internal:6379', fromEnv: true } })).kind).toBe('fail');
  });
});

describe('unavailableMessage', () => {
  it('is null when everything can be had', () => {
    expect(unavailableMessage([{ kind: 'use', url: 'x' }, { kind: 'start', serverPath: 'y' }])).toBeNull();
  });

  it('lists every problem and says exactly what to install', () => {
    const message = unavailableMessage([planPostgres(pg()), planRedis(redis({ serverPath: null }))]) ?? '';
    expect(message).toContain('- PostgreSQL does not answer at postgres://postgres@127.0.0.1:5432/mxs');
    expect(message).toContain('- Redis does not answer at redis://127.0.0.1:6379');
    expect(message).toContain('apt-get install postgresql redis-server');
    expect(message).toContain('brew install postgresql redis');
  });

  it('names only what is missing', () => {
    const message = unavailableMessage([{ kind: 'use', url: 'x' }, planRedis(redis({ serverPath: null }))]) ?? '';
    expect(message).toContain('apt-get install redis-server ');
    expect(message).not.toContain('postgresql');
  });
});

describe('parseClusters', () => {
  it('reads pg_lsclusters lines and skips anything else', () => {
    const text = [
      '15  main    5432 online postgres /var/lib/postgresql/15/main /var/log/postgresql/postgresql-15-main.log',
      '16  spare   5433 down,binaries_missing postgres /var/lib/postgresql/16/spare /var/log/postgresql/postgresql-16-spare.log',
      'Ver Cluster Port Status Owner    Data directory              Log file',
      '',
    ].join('\n');
    expect(parseClusters(text)).toEqual([
      { version: '15', name: 'main', port: 5432, status: 'online', owner: 'postgres', dataDir: '/var/lib/postgresql/15/main' },
      { version: '16', name: 'spare', port: 5433, status: 'down', owner: 'postgres', dataDir: '/var/lib/postgresql/16/spare' },
    ]);
  });
});
