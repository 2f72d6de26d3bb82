/// <reference types="jest" />
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFleetJson } from '@mxs/topology';

const cli = join(__dirname, 'fleet-cli.ts');
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8' });

describe('fleet CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mxs-fleet-cli-'));

  it('generates a valid seeded fleet, the same for the same seed, that check accepts', () => {
    const first = run('generate', '--preset', 'small', '--seed', '4');
    expect(first.status).toBe(0);
    expect(run('generate', '--preset', 'small', '--seed', '4').stdout).toBe(first.stdout);
    const spec = parseFleetJson(first.stdout);
    expect(spec.hosts).toHaveLength(16);
    const file = join(dir, 'small.json');
    writeFileSync(file, first.stdout);
    const check = run('check', file);
    expect(check.status).toBe(0);
    expect(check.stdout).toContain('valid mxs-fleet/1 "small-seed4": 16 hosts, 20 devices, 12288 GiB, 0 GiB used');
  });

  it('lists every problem of an invalid file with its JSON path and exits 1', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ format: 'mxs-fleet/1', name: 'bad', regions: [{ id: 'g', name: 'G' }], racks: [{ id: 'r', regionId: 'nope' }], hosts: [], switches: [], devices: [] }));
    const check = run('check', file);
    expect(check.status).toBe(1);
    expect(check.stderr).toContain('racks[0].regionId: unknown region "nope"');
  });

  it('refuses an unknown preset and a bad seed with exit code 2', () => {
    expect(run('generate', '--preset', 'galaxy').status).toBe(2);
    expect(run('generate', '--seed', 'x').stderr).toContain('--seed takes an integer');
  });
});
