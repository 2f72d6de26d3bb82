/// <reference types="jest" />
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnApp, startChild, waitFor } from './processes';

describe('test processes', () => {
  it('freePort gives a port that can be bound', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(port).toBeGreaterThan(0);
  });

  it('waitFor resolves once the probe holds and names what it gave up on', async () => {
    let calls = 0;
    await waitFor('the third call', async () => ++calls === 3, 5_000, 1);
    expect(calls).toBe(3);
    await expect(waitFor('a thing that never happens', async () => false, 50, 10)).rejects.toThrow('gave up waiting for a thing that never happens');
  });

  it('a child keeps its output and stops on SIGTERM', async () => {
    const child = startChild(process.execPath, ['-e', 'console.log("ready"); setInterval(() => {}, 1000)'], process.env);
    await waitFor('the child to print', async () => child.output().includes('ready'), 10_000, 10);
    await child.stop(5_000);
    expect(child.process.signalCode).toBe('SIGTERM');
  });

  it('spawnApp passes node flags before the app: a CPU profile is written when it exits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mxs-prof-'));
    try {
      const sim = await spawnApp('host-simulator', { MXS_SIM_TOKEN: 'test-token-for-the-profiled-simulator', LOG_LEVEL: 'warn' }, 'MXS_SIM_PORT', ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-name=sim.cpuprofile']);
      await sim.stop();
      expect(readdirSync(dir)).toEqual(['sim.cpuprofile']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
