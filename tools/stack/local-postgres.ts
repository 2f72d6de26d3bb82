/** Finding installed PostgreSQL servers and starting one for `npm start` (and stopping it after). */
import { execFileSync } from 'node:child_process';
import { accessSync, chownSync, constants, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { withPort } from './endpoints';
import { freePortNear } from './probes';
import { runCommand } from './processes';
import type { PgBinDir, PgCluster, PostgresStart } from './service-plan';
import { parseClusters } from './service-plan';
import { StackError } from './stack-error';

/** A server we started, with how to stop it. */
export interface StartedPostgres {
  readonly url: string;
  /** For the summary: "cluster 15/main", "tmp/local/pg". */
  readonly origin: string;
  stop(): Promise<void>;
}

export function listClusters(): PgCluster[] {
  if (findOnPath('pg_lsclusters') === null) return [];
  try {
    return parseClusters(execFileSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    return [];
  }
}

/** Directories with both `initdb` and `pg_ctl`: Debian's versioned ones, then whatever PATH has. */
export function findBinDirs(libRoot = '/usr/lib/postgresql'): PgBinDir[] {
  const found: PgBinDir[] = [];
  if (existsSync(libRoot)) {
    for (const version of readdirSync(libRoot)) {
      const dir = join(libRoot, version, 'bin');
      if (isServerBinDir(dir)) found.push({ dir, major: /^\d+$/.test(version) ? Number(version) : null });
    }
  }
  const initdb = findOnPath('initdb');
  if (initdb !== null && isServerBinDir(dirname(initdb)) && !found.some((b) => b.dir === dirname(initdb))) {
    found.push({ dir: dirname(initdb), major: versionOf(join(dirname(initdb), 'pg_ctl')) });
  }
  return found;
}

/** The major version a data directory was initialized with, or null when it holds none. */
export function dataDirMajor(dataDir: string): number | null {
  try {
    const major = Number.parseInt(readFileSync(join(dataDir, 'PG_VERSION'), 'utf8').trim(), 10);
    return Number.isFinite(major) ? major : null;
  } catch {
    return null;
  }
}

/** Starts one of the planned servers, trying each in turn; the errors of all when none starts. */
export async function startPostgres(attempts: readonly PostgresStart[], configuredUrl: string, log: (line: string) => void): Promise<StartedPostgres> {
  const failures: string[] = [];
  for (const attempt of attempts) {
    try {
      return attempt.kind === 'cluster' ? await startCluster(attempt.cluster, configuredUrl, log) : await startLocal(attempt, configuredUrl, log);
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  throw new StackError('service-start-failed', `could not start PostgreSQL:\n${failures.map((f) => `- ${f}`).join('\n')}`);
}

async function startCluster(cluster: PgCluster, configuredUrl: string, log: (line: string) => void): Promise<StartedPostgres> {
  const id = `${cluster.version}/${cluster.name}`;
  log(`starting PostgreSQL cluster ${id} (port ${cluster.port})`);
  const started = await runCommand('pg_ctlcluster', ['--skip-systemctl-redirect', cluster.version, cluster.name, 'start'], { timeoutMs: 60_000 });
  if (started.code !== 0) throw new Error(`pg_ctlcluster ${id} start failed: ${started.output || `exit ${started.code}`}`);
  return {
    url: withPort(configuredUrl, cluster.port),
    origin: `cluster ${id}, started here`,
    stop: async () => {
      const stopped = await runCommand('pg_ctlcluster', ['--skip-systemctl-redirect', cluster.version, cluster.name, 'stop', '--mode', 'fast'], { timeoutMs: 60_000 });
      if (stopped.code !== 0) throw new Error(`pg_ctlcluster ${id} stop failed: ${stopped.output}`);
    },
  };
}

async function startLocal(plan: Extract<PostgresStart, { kind: 'local' }>, configuredUrl: string, log: (line: string) => void): Promise<StartedPostgres> {
  const { binDir, dataDir } = plan;
  const asUser = serverUser();
  const run = (tool: string, args: string[]) => {
    const command = join(binDir, tool);
    return asUser === null ? runCommand(command, args, { timeoutMs: 90_000 }) : runCommand('runuser', ['-u', asUser.name, '--', command, ...args], { timeoutMs: 90_000 });
  };
  if (!plan.initialized) {
    const superuser = decodeURIComponent(new URL(configuredUrl).username) || 'postgres';
    log(`initializing a PostgreSQL data directory in ${dataDir} (trust auth, superuser ${superuser})`);
    // Only the data directory is private: the server's user must be able to reach it through its parents.
    mkdirSync(dirname(dataDir), { recursive: true });
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (asUser !== null) chownSync(dataDir, asUser.uid, asUser.gid);
    const init = await run('initdb', ['-D', dataDir, '-U', superuser, '--auth=trust', '--encoding=UTF8', '--locale=C']);
    if (init.code !== 0) throw new Error(`initdb failed: ${init.output}`);
  }
  const port = await freePortNear(new URL(configuredUrl).port === '' ? 5432 : Number(new URL(configuredUrl).port));
  log(`starting PostgreSQL from ${binDir} on 127.0.0.1:${port} (data in ${dataDir})`);
  // pg_ctl hands -o to a shell: quote the directory.
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k '${dataDir}'`;
  const started = await run('pg_ctl', ['-D', dataDir, '-l', join(dataDir, 'server.log'), '-w', '-t', '60', '-o', options, 'start']);
  if (started.code !== 0) throw new Error(`pg_ctl start failed: ${started.output} (see ${join(dataDir, 'server.log')})`);
  return {
    url: withPort(configuredUrl, port),
    origin: `${dataDir}, started here`,
    stop: async () => {
      const stopped = await run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
      if (stopped.code !== 0) throw new Error(`pg_ctl stop failed: ${stopped.output}`);
    },
  };
}

/** PostgreSQL refuses to run as root: as root, run the server tools as the `postgres` user. */
function serverUser(): { name: string; uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    if (findOnPath('runuser') === null) throw new Error('runuser missing');
    return { name: 'postgres', uid, gid };
  } catch {
    throw new Error('PostgreSQL will not run as root and there is no `postgres` user (with runuser) to run it as; run npm start as a normal user');
  }
}

function isServerBinDir(dir: string): boolean {
  return ['initdb', 'pg_ctl'].every((tool) => isExecutable(join(dir, tool)));
}

function versionOf(pgCtl: string): number | null {
  try {
    const match = /\(PostgreSQL\)\s+(\d+)/.exec(execFileSync(pgCtl, ['--version'], { encoding: 'utf8', timeout: 5_000 }));
    return match?.[1] === undefined ? null : Number(match[1]);
  } catch {
    return null;
  }
}

export function findOnPath(name: string, path = process.env['PATH'] ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (dir !== '' && isExecutable(join(dir, name))) return join(dir, name);
  }
  return null;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
