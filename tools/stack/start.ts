/**
 * `npm start`: PostgreSQL and Redis (found or started), the database migrated, every app of the
 * stack started and healthy, a demo fleet and tenant seeded, and a summary to start from.
 * Ctrl-C (or SIGTERM) stops the apps, then whatever services it started itself.
 */
import { ensureDatabase, redactDatabaseUrl, runMigrations } from '@mxs/persistence';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { resolveAdminKey } from './admin-key';
import type { AppSpec, RunningApp, StackSettings } from './apps';
import { BILLING, HOST_SIMULATOR, STACK_APPS, appUrl, startApp } from './apps';
import { buildConsole } from './console-build';
import { configuredEndpoints } from './endpoints';
import { logFormatOf, NO_COLORS, prefixOf, terminalColors } from './log-format';
import { freePortNear, isPortFree } from './probes';
import type { ManagedProcess } from './processes';
import { describeExit, signalAll } from './processes';
import { DEMO_FLEET, loadSimulatedFleet, seedBillingDemo, seedDemo } from './seed';
import { prepareServices } from './services';
import { StackError } from './stack-error';
import { formatSummary } from './summary';
import { Teardown } from './teardown';

const root = join(__dirname, '..', '..');
const nameWidth = Math.max(3, ...STACK_APPS.map((a) => a.name.length));
const say = (line: string): void => console.log(`${prefixOf('mxs', nameWidth)}${line}`);
const teardown = new Teardown(say);
const running: RunningApp[] = [];
/** Every app process started, healthy or not yet, for a second Ctrl-C to kill. */
const children: ManagedProcess[] = [];
/** A service start in progress: a stop waits for it, so what it starts is stopped too. */
let critical: Promise<unknown> = Promise.resolve();
let stopping: Promise<void> | null = null;
const shuttingDown = (): boolean => stopping !== null;

async function main(): Promise<void> {
  const env = process.env;
  const adminKey = resolveAdminKey(env);
  const endpoints = configuredEndpoints(env);

  const preparing = prepareServices({ root, endpoints, teardown, log: say });
  critical = preparing;
  const services = await preparing;
  if (shuttingDown()) return;
  const databaseUrl = services.postgres.url;
  say(`PostgreSQL ${redactDatabaseUrl(databaseUrl)} (${services.postgres.origin}); Redis ${redactDatabaseUrl(services.redis.url)} (${services.redis.origin})`);
  if (await ensureDatabase(databaseUrl)) say(`created database ${redactDatabaseUrl(databaseUrl)}`);
  const applied = await runMigrations(databaseUrl);
  say(applied.length === 0 ? 'migrations: up to date' : `migrations applied: ${applied.join(', ')}`);

  const ports = new Map<string, number>();
  for (const spec of STACK_APPS) ports.set(spec.name, await portFor(spec, env, [...ports.values()]));
  const settings: StackSettings = {
    databaseUrl,
    redisUrl: services.redis.url,
    adminKey: adminKey.key,
    hostAgentUrl: appUrl(ports.get(HOST_SIMULATOR.name) ?? HOST_SIMULATOR.port.default),
    // Made for this run: the host agents' API is internal, and nothing outside the stack needs it.
    hostAgentToken: randomBytes(24).toString('base64url'),
    billingUrl: appUrl(ports.get(BILLING.name) ?? BILLING.port.default),
    consoleDir: env['MXS_CONSOLE_DIR'] ?? join(root, 'dist', 'apps', 'admin-console'),
  };
  say(`building the admin console into ${settings.consoleDir}`);
  await buildConsole(root, settings.consoleDir);
  const colors = terminalColors(process.stdout, env);
  for (const [index, spec] of STACK_APPS.entries()) {
    if (shuttingDown()) return;
    const port = ports.get(spec.name) ?? spec.port.default;
    say(`starting ${spec.name} on port ${port}`);
    const app = await startApp(spec, {
      root,
      settings,
      port,
      // Nest colours its early lines whatever the output is; not on a pipe or with NO_COLOR.
      baseEnv: colors === NO_COLORS ? { ...env, NO_COLOR: '1' } : env,
      print: (line) => console.log(line),
      format: logFormatOf(env),
      colors,
      index,
      nameWidth,
      onSpawn: (child) => {
        children.push(child);
        teardown.add(`${spec.name} (pid ${child.pid})`, async () => {
          if ((await child.stop(10_000)) === 'killed') say(`${spec.name} did not stop within 10 s; killed it`);
        });
      },
    });
    running.push(app);
    // An app that dies on its own takes the stack down with it, loudly.
    void app.process.exited.then(() => {
      if (shuttingDown()) return;
      say(`${spec.name} stopped by itself (${describeExit(app.process)}); stopping the rest`);
      void stop(1);
    });
  }

  const api = running.find((a) => a.spec.name === 'placement-api');
  if (api === undefined) throw new StackError('app-start-failed', 'the stack has no placement-api to seed through');
  const seed = await seedDemo({ apiUrl: api.url, adminKey: adminKey.key });
  const billing = running.find((a) => a.spec.name === 'billing');
  if (billing !== undefined) await seedBillingDemo({ billingUrl: billing.url, adminKey: adminKey.key, tenantId: seed.tenant.id });
  // The same fleet in the simulated hosts, so the demo's first expansion really goes active.
  await loadSimulatedFleet(settings, DEMO_FLEET);
  if (shuttingDown()) return;
  for (const line of formatSummary({ apps: running, postgres: services.postgres, redis: services.redis, adminKey, seed })) console.log(line);
}

/** The port asked for in the app's variable (which must be free), else its default or any free one not `taken`. */
async function portFor(spec: AppSpec, env: NodeJS.ProcessEnv, taken: readonly number[]): Promise<number> {
  const asked = env[spec.port.env]?.trim();
  if (asked === undefined || asked === '') {
    let port = await freePortNear(spec.port.default);
    while (taken.includes(port)) port = await freePortNear(port + 1);
    return port;
  }
  const port = Number(asked);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new StackError('invalid-config', `${spec.port.env} must be a port number, got "${asked}"`);
  if (!(await isPortFree(port))) throw new StackError('port-in-use', `port ${port} (${spec.port.env}) is taken; stop what uses it or choose another port`);
  return port;
}

function stop(exitCode: number): Promise<void> {
  stopping ??= critical
    .catch(() => undefined)
    .then(() => teardown.run())
    .then(() => {
      say(exitCode === 0 ? 'stopped' : 'stopped after an error');
      process.exit(exitCode);
    });
  return stopping;
}

// npm and tsx relay a terminal's Ctrl-C that already reached us: only a signal coming well
// after the first one is a person asking again, to kill the apps at once.
const REPEAT_AFTER_MS = 1_500;
let firstSignalAtMs: number | null = null;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (firstSignalAtMs === null) {
      firstSignalAtMs = Date.now();
      say(`${signal}: stopping (press Ctrl-C again to kill the apps at once)`);
      void stop(0);
      return;
    }
    if (Date.now() - firstSignalAtMs < REPEAT_AFTER_MS) return;
    say(`${signal} again: killing the apps`);
    for (const child of children) child.signal('SIGKILL');
  });
}

// tsx runs us with an IPC channel: when it dies (killed outright), nothing else would stop us.
if (process.connected) process.once('disconnect', () => void stop(0));

// However the runner ends (a crash included), no child of it is left running on its own.
process.on('exit', () => signalAll('SIGKILL'));

main().catch(async (error: unknown) => {
  if (shuttingDown()) return; // a signal or a dying app is already stopping everything
  if (error instanceof StackError) console.error(`\nnpm start failed (${error.code}):\n${error.message}\n`);
  else console.error('\nnpm start failed:', error);
  await stop(1);
});
