/**
 * The apps `npm start` runs, in start order. Each later service (billing…) is one more entry
 * here; the runner starts them in turn and stops them in reverse.
 */
import { join } from 'node:path';
import type { Colors, LogFormat } from './log-format';
import { formatLogLine, NO_COLORS, prefixOf } from './log-format';
import { describeExit, ManagedProcess } from './processes';
import { StackError } from './stack-error';

export interface AppSpec {
  readonly name: string;
  /** The entry file, relative to the workspace root, run through @swc-node/register. */
  readonly entry: string;
  /** The variable that chooses its port for `npm start`, and the one the child reads it from. */
  readonly port: { readonly env: string; readonly default: number; readonly childEnv?: string };
  /** What only this app needs (the host agents' address and token…), from the stack's settings. */
  readonly env?: (settings: StackSettings) => Readonly<Record<string, string>>;
  readonly healthPath: string;
  /** Pages worth printing in the summary, by label. */
  readonly links: Readonly<Record<string, string>>;
}

export const PLACEMENT_API: AppSpec = {
  name: 'placement-api',
  entry: 'apps/placement-api/src/main.ts',
  port: { env: 'PORT', default: 3000 },
  healthPath: '/health',
  links: { console: '/console/', queues: '/admin/queues', docs: '/docs', health: '/health', metrics: '/metrics' },
  // The console's invoices and SLA come from billing, its fault buttons go to the simulator.
  env: (s) => ({ MXS_BILLING_URL: s.billingUrl, MXS_SIMULATOR_URL: s.hostAgentUrl, MXS_SIMULATOR_TOKEN: s.hostAgentToken, MXS_CONSOLE_DIR: s.consoleDir }),
};

/** The simulated hosts and fabric: internal, on loopback, behind a token made for this run. */
export const HOST_SIMULATOR: AppSpec = {
  name: 'host-simulator',
  entry: 'apps/host-simulator/src/main.ts',
  port: { env: 'MXS_SIM_PORT', default: 4100, childEnv: 'MXS_SIM_PORT' },
  healthPath: '/health',
  links: {},
  env: (s) => ({ MXS_SIM_TOKEN: s.hostAgentToken }),
};

export const HOTPLUG_WORKER: AppSpec = {
  name: 'hotplug-worker',
  entry: 'apps/hotplug-worker/src/main.ts',
  port: { env: 'MXS_WORKER_PORT', default: 3100 },
  healthPath: '/health',
  links: { metrics: '/metrics' },
  env: (s) => ({ MXS_HOST_AGENT_URL: s.hostAgentUrl, MXS_HOST_AGENT_TOKEN: s.hostAgentToken }),
};

/** Metering, invoices and SLA reports (the tenant's /v1/usage, /v1/invoices, /v1/sla). */
export const BILLING: AppSpec = {
  name: 'billing',
  entry: 'apps/billing/src/main.ts',
  port: { env: 'MXS_BILLING_PORT', default: 3200 },
  healthPath: '/health',
  links: { docs: '/docs', health: '/health', metrics: '/metrics' },
};

/** Start order: the hosts first, so the worker finds them; the API, the worker that drives them, then billing. */
export const STACK_APPS: readonly AppSpec[] = [HOST_SIMULATOR, PLACEMENT_API, HOTPLUG_WORKER, BILLING];

/** What every app gets to reach the shared services. */
export interface StackSettings {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly adminKey: string;
  /** The host agents (the simulator here) and the token they require. */
  readonly hostAgentUrl: string;
  readonly hostAgentToken: string;
  /** Billing, which the API forwards /billing/* to (it starts later; its port is chosen before any app starts). */
  readonly billingUrl: string;
  /** The admin console's bundle, built at start, which the API serves at /console. */
  readonly consoleDir: string;
}

/** The child's environment: ours, then the stack's settings, the app's own and its port, which win. */
export function appEnv(settings: StackSettings, port: number, base: NodeJS.ProcessEnv, spec?: AppSpec): NodeJS.ProcessEnv {
  return {
    ...base,
    SWC_NODE_PROJECT: 'tsconfig.base.json',
    DATABASE_URL: settings.databaseUrl,
    REDIS_URL: settings.redisUrl,
    MXS_ADMIN_KEY: settings.adminKey,
    ...spec?.env?.(settings),
    [spec?.port.childEnv ?? 'PORT']: String(port),
  };
}

export function appUrl(port: number): string {
  return `http://127.0.0.1:${port}`;
}

export interface RunningApp {
  readonly spec: AppSpec;
  readonly url: string;
  readonly process: ManagedProcess;
}

export interface StartAppOptions {
  readonly root: string;
  readonly settings: StackSettings;
  readonly port: number;
  readonly baseEnv?: NodeJS.ProcessEnv;
  /** Where its output goes, one finished line at a time; nowhere when absent (tests). */
  readonly print?: (line: string) => void;
  readonly format?: LogFormat;
  readonly colors?: Colors;
  /** Position in the stack (for the prefix's colour) and the longest name (for its width). */
  readonly index?: number;
  readonly nameWidth?: number;
  readonly healthTimeoutMs?: number;
  /** Called as soon as the process exists, before it is healthy, so a Ctrl-C meanwhile can stop it. */
  readonly onSpawn?: (process: ManagedProcess) => void;
}

/** Starts the app and resolves once its health endpoint answers 200; stops it and throws when it does not. */
export async function startApp(spec: AppSpec, options: StartAppOptions): Promise<RunningApp> {
  const colors = options.colors ?? NO_COLORS;
  const prefix = colors.name(options.index ?? 0, prefixOf(spec.name, options.nameWidth ?? spec.name.length));
  const print = options.print;
  const child = new ManagedProcess({
    name: spec.name,
    command: process.execPath,
    args: ['-r', '@swc-node/register', join(options.root, spec.entry)],
    cwd: options.root,
    env: appEnv(options.settings, options.port, options.baseEnv ?? process.env, spec),
    keepLines: 30,
    ...(print === undefined
      ? {}
      : { onLine: (line: string) => formatLogLine(line, options.format ?? 'pretty', colors).split('\n').forEach((l) => print(prefix + l)) }),
  });
  options.onSpawn?.(child);
  const url = appUrl(options.port);
  const timeoutMs = options.healthTimeoutMs ?? 60_000;
  const healthy = await waitForHealth(`${url}${spec.healthPath}`, child, timeoutMs);
  if (healthy !== 'ok') {
    if (child.running) await child.stop(5_000);
    const why = healthy === 'exited' ? `exited at start (${describeExit(child)})` : `did not answer ${spec.healthPath} with 200 within ${timeoutMs / 1000} s`;
    const lines = child.recentLines();
    throw new StackError('app-start-failed', `${spec.name} ${why}.${lines.length > 0 ? ` Its last lines:\n${lines.map((l) => `  ${l}`).join('\n')}` : ' It printed nothing.'}`);
  }
  return { spec, url, process: child };
}

/** Polls `url` until it answers 200 ('ok'), the process exits, or the time runs out. */
export async function waitForHealth(url: string, child: ManagedProcess, timeoutMs: number): Promise<'ok' | 'exited' | 'timeout'> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!child.running) return 'exited';
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200) return 'ok';
    } catch {
      // Not listening yet.
    }
    await Promise.race([new Promise((resolve) => setTimeout(resolve, 250)), child.exited]);
  }
  return child.running ? 'timeout' : 'exited';
}
