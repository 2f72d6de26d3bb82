/// <reference types="jest" />
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STACK_APPS } from '../stack/apps';
import type { YamlMap, YamlValue } from './compose-file';
import { ComposeFileError, readYaml } from './compose-file';
import { appConfigFields } from './config-fields';

const root = join(__dirname, '..', '..');
const compose = readYaml(readFileSync(join(root, 'deploy', 'compose.yaml'), 'utf8')) as YamlMap;
const services = compose['services'] as Record<string, YamlMap>;
const dockerfile = readFileSync(join(root, 'deploy', 'Dockerfile'), 'utf8');
/** Every app a container runs: each directory of apps/ but the console, which placement-api serves. */
const apps = readdirSync(join(root, 'apps'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'admin-console')
  .map((d) => d.name);
const SECRET_NAME = /KEY|SECRET|PASSWORD|TOKEN/;

function envOf(service: string): Record<string, string> {
  const env = (services[service]?.['environment'] ?? {}) as Record<string, YamlValue>;
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
}

/** The variable a `${VAR:?message}` value requires, or null for any other value. */
function requiredVariable(value: string | undefined): string | null {
  return /^\$\{(\w+):\?[^}]+\}$/.exec(value ?? '')?.[1] ?? null;
}

function portOf(app: string): number {
  const spec = STACK_APPS.find((s) => s.name === app);
  const variable = spec?.port.childEnv ?? 'PORT';
  return Number(envOf(app)[variable] ?? appConfigFields(root, app).get(variable)?.defaultValue);
}

describe('readYaml (the subset deploy/compose.yaml is written in)', () => {
  it('reads mappings, sequences, quoted and flow scalars, comments, anchors and merges', () => {
    const text = [
      'base: &base   # a comment',
      '  image: "mxs:local"',
      '  retries: 3',
      "  quiet: 'it''s # not a comment'",
      'url: &url postgres://db:5432/x',
      'svc:',
      '  <<: *base',
      '  retries: 5',
      '  test: ["CMD", "node", "-e", "a, b"]',
      '  flow: { a: 1, b: "x y" }',
      '  url: *url',
      '  items:',
      '    - one',
      '    - name: two',
      '      on: true',
      '  empty:',
    ].join('\n');
    expect(readYaml(text)).toEqual({
      base: { image: 'mxs:local', retries: 3, quiet: "it's # not a comment" },
      url: 'postgres://db:5432/x',
      svc: { image: 'mxs:local', retries: 5, quiet: "it's # not a comment", test: ['CMD', 'node', '-e', 'a, b'], flow: { a: 1, b: 'x y' }, url: 'postgres://db:5432/x', items: ['one', { name: 'two', on: true }], empty: null },
    });
  });

  it('refuses what it does not read, naming the line, rather than misreading it', () => {
    const refused = (text: string): ComposeFileError => {
      try {
        readYaml(text);
      } catch (error) {
        if (error instanceof ComposeFileError) return error;
        throw error;
      }
      throw new Error(`accepted: ${text}`);
    };
    expect(refused('a: 1\nscript: |\n  echo hi')).toMatchObject({ code: 'unsupported-yaml', lineNo: 2 });
    expect(refused('a: !!str 1')).toMatchObject({ code: 'unsupported-yaml', lineNo: 1 });
    expect(refused('a: 1\n---\nb: 2')).toMatchObject({ code: 'unsupported-yaml', lineNo: 2 });
    expect(refused('a: 1\na: 2')).toMatchObject({ code: 'bad-yaml', lineNo: 2 });
    expect(refused('a: *nowhere')).toMatchObject({ code: 'bad-yaml' });
  });
});

describe('deploy/compose.yaml', () => {
  it('has a service for every app, besides PostgreSQL 15, Redis 7 and the migrations', () => {
    expect(apps.length).toBeGreaterThanOrEqual(4);
    expect(Object.keys(services).sort()).toEqual([...apps, 'migrate', 'postgres', 'redis'].sort());
    expect(services['postgres']?.['image']).toBe('postgres:15');
    expect(services['redis']?.['image']).toBe('redis:7');
  });

  it('runs each app the way npm start does, from the one image of deploy/Dockerfile', () => {
    for (const app of apps) {
      const spec = STACK_APPS.find((s) => s.name === app);
      expect(spec).toBeDefined();
      expect(services[app]?.['command']).toEqual(['node', '-r', '@swc-node/register', spec?.entry]);
      expect(services[app]?.['image']).toBe('mxs:local');
      expect(services[app]?.['build']).toEqual({ context: '..', dockerfile: 'deploy/Dockerfile' });
    }
    // @swc-node/register compiles with the workspace's paths, as tools/stack/apps.ts sets it.
    expect(dockerfile).toMatch(/SWC_NODE_PROJECT=tsconfig\.base\.json/);
    expect(dockerfile).toMatch(/^FROM node:20/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
  });

  it('copies every workspace package.json before npm ci, so the lock file installs', () => {
    const workspaces = [
      ...['apps', 'libs'].flatMap((dir) => readdirSync(join(root, dir), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `${dir}/${d.name}`)),
      'tools',
    ];
    const beforeInstall = dockerfile.slice(0, dockerfile.indexOf('RUN npm ci'));
    for (const ws of workspaces) expect(beforeInstall).toContain(`COPY ${ws}/package.json ${ws}/`);
  });

  it('sets only variables each app reads, and every one it requires', () => {
    for (const app of apps) {
      const fields = appConfigFields(root, app);
      const env = envOf(app);
      const unknown = Object.keys(env).filter((name) => !fields.has(name));
      expect({ app, unknown }).toEqual({ app, unknown: [] });
      const missing = [...fields.values()].filter((f) => f.required && env[f.name] === undefined).map((f) => f.name);
      expect({ app, missing }).toEqual({ app, missing: [] });
    }
  });

  it('commits no secret: every key, token and password comes from the environment, required', () => {
    for (const name of Object.keys(services)) {
      for (const [variable, value] of Object.entries(envOf(name))) {
        if (SECRET_NAME.test(variable)) expect({ name, variable, required: requiredVariable(value) }).toEqual({ name, variable, required: expect.stringMatching(SECRET_NAME) });
      }
    }
    const url = envOf('migrate')['DATABASE_URL'] ?? '';
    expect(url).toMatch(/^postgres:\/\/mxs:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432\/mxs$/);
  });

  it('checks each app on /health at the port it listens on', () => {
    for (const app of apps) {
      const port = portOf(app);
      expect(port).toBeGreaterThan(0);
      const test = (services[app]?.['healthcheck'] as YamlMap | undefined)?.['test'];
      expect(JSON.stringify(test)).toContain(`http://127.0.0.1:${port}/health`);
    }
  });

  it('runs two API and two worker replicas on one database, Redis and queue prefix', () => {
    expect((services['placement-api']?.['deploy'] as YamlMap)['replicas']).toBe(2);
    expect((services['hotplug-worker']?.['deploy'] as YamlMap)['replicas']).toBe(2);
    const shared = ['DATABASE_URL', 'REDIS_URL', 'MXS_QUEUE_PREFIX', 'MXS_ADMIN_KEY'];
    for (const app of apps.filter((a) => a !== 'host-simulator')) {
      for (const name of shared) expect({ app, name, value: envOf(app)[name] }).toEqual({ app, name, value: envOf('placement-api')[name] });
    }
    expect(envOf('migrate')['DATABASE_URL']).toBe(envOf('placement-api')['DATABASE_URL']);
    expect(envOf('placement-api')['MXS_QUEUE_PREFIX']).toMatch(/^\{[^}]+\}$/);
    const pg = envOf('postgres');
    expect(envOf('migrate')['DATABASE_URL']).toContain(`${pg['POSTGRES_USER']}:\${POSTGRES_PASSWORD:?`);
    expect(envOf('migrate')['DATABASE_URL']).toMatch(new RegExp(`@postgres:5432/${pg['POSTGRES_DB']}$`));
    expect(envOf('placement-api')['REDIS_URL']).toBe('redis://redis:6379');
  });

  it('wires the worker and the API to the simulator and billing by service name and shared token', () => {
    const sim = envOf('host-simulator');
    expect(sim['MXS_SIM_BIND']).toBe('0.0.0.0');
    // The workers' /health and /metrics are for the compose network's healthcheck and scraper.
    expect(envOf('hotplug-worker')['MXS_WORKER_BIND']).toBe('0.0.0.0');
    const simUrl = `http://host-simulator:${portOf('host-simulator')}`;
    expect(envOf('hotplug-worker')['MXS_HOST_AGENT_URL']).toBe(simUrl);
    expect(envOf('placement-api')['MXS_SIMULATOR_URL']).toBe(simUrl);
    expect(envOf('placement-api')['MXS_BILLING_URL']).toBe(`http://billing:${portOf('billing')}`);
    const token = requiredVariable(sim['MXS_SIM_TOKEN']);
    expect(token).not.toBeNull();
    expect(requiredVariable(envOf('hotplug-worker')['MXS_HOST_AGENT_TOKEN'])).toBe(token);
    expect(requiredVariable(envOf('placement-api')['MXS_SIMULATOR_TOKEN'])).toBe(token);
  });

  it('migrates once, with the Nx target\'s command, before any app that uses the database starts', () => {
    const target = JSON.parse(readFileSync(join(root, 'libs', 'persistence', 'project.json'), 'utf8')) as { targets: { migrate: { options: { command: string } } } };
    const script = /\S+migrate\.ts/.exec(target.targets.migrate.options.command)?.[0];
    expect(services['migrate']?.['command']).toEqual(['node', '-r', '@swc-node/register', script]);
    expect(services['migrate']?.['restart']).toBe('no');
    for (const app of apps.filter((a) => envOf(a)['DATABASE_URL'] !== undefined)) {
      expect({ app, dependsOn: (services[app]?.['depends_on'] as YamlMap)['migrate'] }).toEqual({ app, dependsOn: { condition: 'service_completed_successfully' } });
    }
  });

  it('keeps Redis\'s queues in an append-only file, without RDB snapshots or eviction', () => {
    const command = services['redis']?.['command'] as string[];
    const after = (flag: string): string | undefined => command[command.indexOf(flag) + 1];
    expect(command[0]).toBe('redis-server');
    expect(after('--appendonly')).toBe('yes');
    expect(after('--save')).toBe('');
    expect(after('--maxmemory-policy')).toBe('noeviction');
  });
});
