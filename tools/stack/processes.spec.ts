/// <reference types="jest" />
import { describeExit, ManagedProcess, runCommand } from './processes';
import { Teardown } from './teardown';

const node = (script: string, onLine?: (line: string) => void) =>
  new ManagedProcess({ name: 'test', command: process.execPath, args: ['-e', script], cwd: __dirname, env: process.env, keepLines: 3, ...(onLine === undefined ? {} : { onLine }) });

describe('ManagedProcess', () => {
  it('hands over each line and keeps the last few for error reports', async () => {
    const seen: string[] = [];
    const child = node("for (let i = 1; i <= 5; i++) console.log('line ' + i); console.error('oops'); process.exit(3)", (l) => seen.push(l));
    await child.exited;
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(expect.arrayContaining(['line 1', 'line 5', 'oops']));
    expect(child.recentLines()).toHaveLength(3);
    expect(describeExit(child)).toBe('exit code 3');
    expect(child.running).toBe(false);
  });

  it('stops with SIGTERM, and kills what ignores it after the grace period', async () => {
    const polite = node('setInterval(() => {}, 1000)');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await polite.stop(5_000)).toBe('exited');
    expect(describeExit(polite)).toBe('signal SIGTERM');

    const stubborn = node("process.on('SIGTERM', () => console.log('no')); console.log('ready'); setInterval(() => {}, 1000)");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await stubborn.stop(300)).toBe('killed');
    expect(describeExit(stubborn)).toBe('signal SIGKILL');
    expect(await stubborn.stop()).toBe('exited');
  });

  it('reports a command that cannot start', async () => {
    const missing = new ManagedProcess({ name: 'x', command: '/nonexistent/binary', args: [], cwd: __dirname, env: process.env });
    const exit = await missing.exited;
    expect(exit.error?.message).toMatch(/ENOENT/);
    expect(describeExit(missing)).toMatch(/ENOENT/);
  });
});

describe('runCommand', () => {
  it('returns the exit code and the output', async () => {
    expect(await runCommand(process.execPath, ['-e', "console.log('out'); console.error('err'); process.exit(2)"])).toEqual({ code: 2, output: expect.stringMatching(/out[\s\S]*err|err[\s\S]*out/) });
    expect((await runCommand('/nonexistent/binary', [])).code).toBeNull();
  });
});

describe('Teardown', () => {
  it('runs its steps once, last added first, going on past a failing one', async () => {
    const log: string[] = [];
    const done: string[] = [];
    const teardown = new Teardown((l) => log.push(l));
    teardown.add('database', async () => {
      done.push('database');
    });
    teardown.add('cache', () => Promise.reject(new Error('already gone')));
    teardown.add('api', async () => {
      done.push('api');
    });
    expect(teardown.started).toBe(false);
    await Promise.all([teardown.run(), teardown.run()]);
    await teardown.run();
    expect(done).toEqual(['api', 'database']);
    expect(log).toEqual(['stopping: api', 'stopping: cache', 'could not cache: already gone', 'stopping: database']);
    expect(teardown.started).toBe(true);
  });
});
