import { createTestDatabase } from '@mxs/persistence';
import type { TestDatabase } from '@mxs/persistence';
import { SimulatorControl } from '@mxs/host-agent';
import type { AppProcess } from '@mxs/test-kit';
import { spawnApp, waitFor } from '@mxs/test-kit';
import { generateFleetSpec } from '@mxs/topology';
import type { DeviceSpec, FleetSpec } from '@mxs/topology';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { BarePlacement } from './bare-path-app';
import { BarePath } from './bare-path';
import { burstFigures } from './hotplug-latency';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const TOKEN = `bare-path-${randomBytes(8).toString('hex')}`;

describe('the bare path (bench:hotplug latency baseline), on a real simulator, PostgreSQL and Redis', () => {
  let db: TestDatabase;
  let sim: AppProcess;
  let sql: Client;
  let control: SimulatorControl;
  let fleet: FleetSpec;

  beforeAll(async () => {
    db = await createTestDatabase('bare_path');
    sim = await spawnApp('host-simulator', { MXS_SIM_TOKEN: TOKEN, MXS_SIM_TIME_SCALE: '0', LOG_LEVEL: 'warn' }, 'MXS_SIM_PORT');
    control = new SimulatorControl({ baseUrl: sim.url, token: TOKEN });
    fleet = generateFleetSpec({ preset: 'small', seed: 1, vmsPerHost: 0 });
    await control.loadFleet(fleet);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  }, 60_000);

  afterAll(async () => {
    await sql?.end();
    control?.close();
    await sim?.stop();
    await db?.drop();
  });

  const directDevice = (hostId: string): DeviceSpec => {
    const device = fleet.devices.find((d) => d.attachment.kind === 'direct' && d.attachment.hostId === hostId);
    if (device === undefined) throw new Error(`no direct device on ${hostId}`);
    return device;
  };
  const placement = (hostIndex: number, slot: number): BarePlacement => {
    const hostId = (fleet.hosts[hostIndex] as { id: string }).id;
    const device = directDevice(hostId);
    // As the bench asks: a whole number of both the extent blocks and the host's memory blocks.
    const sizeGiB = 4;
    return { hostId, vmId: `bare-vm-${hostIndex}`, sizeGiB, extents: [{ deviceId: device.id, offsetGiB: slot * sizeGiB, sizeGiB }] };
  };

  it('makes a burst ready on its hosts, one hot-add at a time per host, times it as mxs is timed, and takes it off again', async () => {
    const placements = [placement(0, 0), placement(0, 1), placement(1, 0)];
    const bare = await BarePath.start({ databaseUrl: db.url, redisUrl: REDIS_URL, agentUrl: sim.url, agentToken: TOKEN, sql });
    try {
      const { ids, sentAt } = await bare.burst(placements);
      expect(new Set(ids).size).toBe(3);

      // On the hosts: each VM has plugged what its expansions asked for, over extents the host accepted.
      const [a, b, c] = placements as [BarePlacement, BarePlacement, BarePlacement];
      expect((await control.vm(a.hostId, a.vmId)).pluggedGiB).toBe(a.sizeGiB + b.sizeGiB);
      expect((await control.vm(c.hostId, c.vmId)).pluggedGiB).toBe(c.sizeGiB);
      const onDevice = (await control.device((a.extents[0] as { deviceId: string }).deviceId)).extents;
      expect(onDevice.filter((x) => ids.includes(x.expansionId)).map((x) => x.state)).toEqual(['accepted', 'accepted']);

      const rows = await bare.rows(ids, sentAt);
      expect(rows).toHaveLength(3);
      for (const r of rows) {
        expect(r.steps).toHaveLength(4);
        expect(r.queuedAt).toEqual(expect.any(Number));
        expect(r.fetchedAt).toBeGreaterThanOrEqual(r.queuedAt as number);
        // Decided when the API read it, before its job was queued; ready (PostgreSQL's clock, the same machine's) after its last step.
        expect(r.decidedAt).toBeGreaterThanOrEqual(r.sentAt);
        expect(r.queuedAt).toBeGreaterThanOrEqual(r.decidedAt);
        expect(r.begunAt).toBeGreaterThanOrEqual(r.fetchedAt as number);
        expect(r.readyAt).toBeGreaterThanOrEqual((r.steps[3] as [number, number])[1] - 5);
        for (const [start, end] of r.steps) expect(end).toBeGreaterThanOrEqual(start);
      }
      // The two on one host ran one after the other, never together.
      const [first, second] = rows.filter((r) => r.hostId === a.hostId).sort((x, y) => (x.begunAt as number) - (y.begunAt as number)) as [typeof rows[0], typeof rows[0]];
      expect((second.steps[0] as [number, number])[0]).toBeGreaterThanOrEqual((first.steps[3] as [number, number])[1]);
      // The rows measure as mxs's do.
      const figures = burstFigures([rows]);
      expect(figures.expansions).toBe(3);
      expect(Number.isFinite(figures.overheadP99Ms)).toBe(true);

      await bare.removeAll(ids);
      expect((await control.vm(a.hostId, a.vmId)).pluggedGiB).toBe(0);
      expect((await control.device((a.extents[0] as { deviceId: string }).deviceId)).extents.filter((x) => ids.includes(x.expansionId))).toEqual([]);
      // Removed, the same extents take a second burst.
      const again = await bare.burst(placements);
      expect(await bare.rows(again.ids, again.sentAt)).toHaveLength(3);
      await bare.removeAll(again.ids);
    } finally {
      await bare.stop();
    }
  }, 60_000);

  it("fails a burst with the host's reason, and on stop takes back what it left on the hosts", async () => {
    const good = placement(2, 0);
    const clash = { ...placement(3, 0), extents: good.extents };
    const bare = await BarePath.start({ databaseUrl: db.url, redisUrl: REDIS_URL, agentUrl: sim.url, agentToken: TOKEN, sql });
    const deviceId = (good.extents[0] as { deviceId: string }).deviceId;
    try {
      // The second offers extents the first holds, on a host the device is not attached to.
      await expect(bare.burst([good, clash])).rejects.toThrow(/a bare-path saga failed: hot-add: /);
      await waitFor('the first on its host', async () => (await control.vm(good.hostId, good.vmId)).pluggedGiB === good.sizeGiB);
    } finally {
      await bare.stop();
    }
    expect((await control.device(deviceId)).extents).toEqual([]);
  }, 60_000);
});
