/**
 * What `npm start` does about PostgreSQL and Redis, decided from what answers and what is
 * installed. Pure: the probes and the look at the disk happen before, the starting after.
 */
import type { Endpoint } from './endpoints';
import { isLoopbackUrl, redactUrl } from './endpoints';

/** `refused`: a server answers but will not serve us (bad password…); starting another cannot help. */
export type ProbeResult =
  | { readonly state: 'up' }
  | { readonly state: 'down'; readonly reason: string }
  | { readonly state: 'refused'; readonly reason: string };

/** One line of `pg_lsclusters` (Debian's postgresql-common). */
export interface PgCluster {
  readonly version: string;
  readonly name: string;
  readonly port: number;
  readonly status: string;
  readonly owner: string;
  readonly dataDir: string;
}

/** A directory holding `initdb` and `pg_ctl`, with their major version when known. */
export interface PgBinDir {
  readonly dir: string;
  readonly major: number | null;
}

export type PostgresStart =
  | { readonly kind: 'cluster'; readonly cluster: PgCluster }
  | { readonly kind: 'local'; readonly binDir: string; readonly dataDir: string; readonly initialized: boolean };

export type PostgresPlan =
  | { readonly kind: 'use'; readonly url: string }
  /** Tried in order until one runs: a stopped cluster may refuse a user who does not own it. */
  | { readonly kind: 'start'; readonly attempts: readonly PostgresStart[] }
  | { readonly kind: 'fail'; readonly problem: string; readonly install?: 'postgresql' };

export type RedisPlan =
  | { readonly kind: 'use'; readonly url: string }
  | { readonly kind: 'start'; readonly serverPath: string }
  | { readonly kind: 'fail'; readonly problem: string; readonly install?: 'redis-server' };

export interface PostgresFacts {
  readonly endpoint: Endpoint;
  readonly probe: ProbeResult;
  /** From `pg_lsclusters`; empty where postgresql-common is not installed. */
  readonly clusters: readonly PgCluster[];
  readonly binDirs: readonly PgBinDir[];
  /** Where our own server keeps its data, and its PG_VERSION when it was initialized before. */
  readonly dataDir: string;
  readonly dataDirMajor: number | null;
}

export function planPostgres(facts: PostgresFacts): PostgresPlan {
  const { endpoint, probe } = facts;
  const shown = redactUrl(endpoint.url);
  if (probe.state === 'up') return { kind: 'use', url: endpoint.url };
  if (probe.state === 'refused') return { kind: 'fail', problem: `PostgreSQL at ${shown} answers but refuses us: ${probe.reason}` };
  if (!isLoopbackUrl(endpoint.url)) {
    return { kind: 'fail', problem: `PostgreSQL at ${shown} (DATABASE_URL) does not answer (${probe.reason}); start it, or unset DATABASE_URL to use a local one` };
  }
  const attempts: PostgresStart[] = [];
  const wantedPort = new URL(endpoint.url).port;
  const stopped = facts.clusters.filter((c) => c.status === 'down');
  // A cluster on the port asked for first: it is most likely the one meant.
  stopped.sort((a, b) => Number(String(b.port) === wantedPort) - Number(String(a.port) === wantedPort));
  const cluster = stopped[0];
  if (cluster !== undefined) attempts.push({ kind: 'cluster', cluster });
  const local = chooseBinDir(facts.binDirs, facts.dataDirMajor);
  if (local !== null) attempts.push({ kind: 'local', binDir: local.dir, dataDir: facts.dataDir, initialized: facts.dataDirMajor !== null });
  if (attempts.length > 0) return { kind: 'start', attempts };
  if (facts.dataDirMajor !== null && facts.binDirs.length > 0) {
    return {
      kind: 'fail',
      problem: `${facts.dataDir} holds PostgreSQL ${facts.dataDirMajor} data, but only PostgreSQL ${facts.binDirs.map((b) => b.major ?? '?').join(', ')} is installed; delete that directory to start afresh`,
    };
  }
  return { kind: 'fail', problem: `PostgreSQL does not answer at ${shown} (${probe.reason}) and no PostgreSQL server is installed`, install: 'postgresql' };
}

/** The newest installed version, or the one matching a data directory initialized before. */
export function chooseBinDir(binDirs: readonly PgBinDir[], dataDirMajor: number | null): PgBinDir | null {
  if (dataDirMajor !== null) return binDirs.find((b) => b.major === dataDirMajor) ?? binDirs.find((b) => b.major === null) ?? null;
  const sorted = [...binDirs].sort((a, b) => (b.major ?? 0) - (a.major ?? 0));
  return sorted[0] ?? null;
}

export interface RedisFacts {
  readonly endpoint: Endpoint;
  readonly probe: ProbeResult;
  /** `redis-server` on PATH, or null. */
  readonly serverPath: string | null;
}

export function planRedis(facts: RedisFacts): RedisPlan {
  const { endpoint, probe } = facts;
  const shown = redactUrl(endpoint.url);
  if (probe.state === 'up') return { kind: 'use', url: endpoint.url };
  if (probe.state === 'refused') return { kind: 'fail', problem: `Redis at ${shown} answers but refuses us: ${probe.reason}` };
  if (!isLoopbackUrl(endpoint.url)) {
    return { kind: 'fail', problem: `Redis at ${shown} (REDIS_URL) does not answer (${probe.reason}); start it, or unset REDIS_URL to use a local one` };
  }
  if (facts.serverPath !== null) return { kind: 'start', serverPath: facts.serverPath };
  return { kind: 'fail', problem: `Redis does not answer at ${shown} (${probe.reason}) and redis-server is not installed`, install: 'redis-server' };
}

/** One message for every service that cannot be had, ending with exactly what to install. */
export function unavailableMessage(plans: readonly (PostgresPlan | RedisPlan)[]): string | null {
  const failures = plans.filter((p): p is Extract<PostgresPlan | RedisPlan, { kind: 'fail' }> => p.kind === 'fail');
  if (failures.length === 0) return null;
  const lines = failures.map((f) => `- ${f.problem}`);
  const packages = failures.flatMap((f) => (f.install === undefined ? [] : [f.install]));
  if (packages.length > 0) {
    lines.push(
      '',
      'Install what is missing, then run `npm start` again:',
      `  Debian/Ubuntu:     apt-get install ${packages.join(' ')}   (as root, or with sudo)`,
      `  macOS (Homebrew):  brew install ${packages.map((p) => (p === 'redis-server' ? 'redis' : p)).join(' ')}`,
      'or point DATABASE_URL / REDIS_URL at servers that run.',
    );
  }
  return lines.join('\n');
}

/** Parses `pg_lsclusters --no-header`: version, name, port, status, owner, data directory, log file. */
export function parseClusters(text: string): PgCluster[] {
  const clusters: PgCluster[] = [];
  for (const line of text.split('\n')) {
    const [version, name, port, status, owner, dataDir] = line.trim().split(/\s+/);
    if (version === undefined || name === undefined || status === undefined || owner === undefined || dataDir === undefined) continue;
    if (!/^\d+(\.\d+)?$/.test(version) || !/^\d+$/.test(port ?? '')) continue;
    clusters.push({ version, name, port: Number(port), status: status.split(',')[0] ?? status, owner, dataDir });
  }
  return clusters;
}
