import type { CxlDevice } from './device';
import type { Host } from './host';
import type { CxlSwitch, PathKind } from './path';
import { Path } from './path';

/**
 * Gives every host its paths, host by host, so one host's paths sit together in memory:
 * placement walks them all for every decision.
 */
export function wirePaths(
  hosts: readonly Host[],
  devices: readonly CxlDevice[],
  switchById: (id: string) => CxlSwitch,
  hostById: (id: string) => Host,
): void {
  const devicesByHost = new Map<Host, { device: CxlDevice; kind: PathKind }[]>();
  const devicesBySwitch = new Map<string, CxlDevice[]>();
  for (const device of devices) {
    const a = device.attachment;
    switch (a.kind) {
      case 'direct':
        push(devicesByHost, hostById(a.hostId), { device, kind: 'direct' });
        break;
      case 'multi-headed':
        for (const hostId of a.hostIds) push(devicesByHost, hostById(hostId), { device, kind: 'multi-headed' });
        break;
      case 'switch':
        push(devicesBySwitch, a.switchId, device);
        break;
    }
  }
  for (const host of hosts) {
    for (const { device, kind } of devicesByHost.get(host) ?? []) connect(host, device, kind, undefined);
    for (const switchId of host.spec.switchIds) {
      const sw = switchById(switchId);
      for (const device of devicesBySwitch.get(switchId) ?? []) connect(host, device, 'switch', sw);
    }
  }
}

function connect(host: Host, device: CxlDevice, kind: PathKind, sw: CxlSwitch | undefined): void {
  const path = new Path(host, device, kind, sw, device.spec.baseLatencyNs + (sw?.spec.hopLatencyNs ?? 0));
  host.addPath(path);
  device.addPath(path);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
