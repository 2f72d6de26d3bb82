/// <reference types="jest" />
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

describe('npm start (the placement demo)', () => {
  it('places, explains and rejects with reasons, the same on every run', () => {
    const run = () => spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'placement-demo.ts')], { encoding: 'utf8' });
    const first = run();
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('chose direct-001-01');
    expect(first.stdout).toContain('rejected (over-quota)');
    expect(first.stdout).toMatch(/capacity: \d+ of 12288 GiB used/);
    expect(run().stdout).toBe(first.stdout);
  });
});
