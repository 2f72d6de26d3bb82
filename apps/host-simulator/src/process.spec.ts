/// <reference types="jest" />
import { SimulatorControl } from '@mxs/host-agent';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

const workspaceRoot = path.resolve(__dirname, '../../..');

describe('the simulator as its own process', () => {
  it('binds 127.0.0.1, loads MXS_SIM_FLEET, answers with the token, and refuses to start without one', async () => {
    const env = { ...process.env, SWC_NODE_PROJECT: 'tsconfig.base.json', LOG_LEVEL: 'warn', MXS_SIM_PORT: '0', MXS_SIM_FLEET: 'small', MXS_SIM_TIME_SCALE: '0' };
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/host-simulator/src/main.ts'], {
      cwd: workspaceRoot,
      env: { ...env, MXS_SIM_TOKEN: 'process-test-token-123' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output);
          if (match?.[1] !== undefined) resolve(match[1]);
        });
        child.once('exit', () => reject(new Error(`exited before listening:\n${output}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const control = new SimulatorControl({ baseUrl: url, token: 'process-test-token-123' });
      expect((await control.health()).status).toBe('ok');
      expect((await control.host('host-001-01')).up).toBe(true);
      control.close();
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }

    const refused = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/host-simulator/src/main.ts'], { cwd: workspaceRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    refused.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(refused, 'exit')) as [number];
    expect(code).toBe(1);
    expect(stderr).toContain('MXS_SIM_TOKEN: expected a shared secret of at least 16 characters, but it is not set');
  });
});
