import type { Fault, Host, Switch } from '../../api/types';

export type InjectFault = (fault: Fault) => Promise<{ seq: number }>;

export interface FaultControl {
  label: string;
  title: string;
  description: string;
  fault: Fault;
}

/** The one switch fault that applies now: links down when up, back up when down. */
export function switchFault(fabricSwitch: Switch): FaultControl {
  const id = fabricSwitch.id;
  switch (fabricSwitch.state) {
    case 'up':
      return {
        label: 'Link down',
        title: `Take switch ${id}'s links down?`,
        description: `The simulator takes the links of switch ${id} down. Hosts lose their paths through it, and expansions on its devices may degrade until the links come back.`,
        fault: { kind: 'link-down', switchId: id },
      };
    case 'down':
      return {
        label: 'Link up',
        title: `Bring switch ${id}'s links up?`,
        description: `The simulator brings the links of switch ${id} back up, so hosts reach its devices again.`,
        fault: { kind: 'link-up', switchId: id },
      };
  }
}

/** The one host fault that applies now: crash a running host, restart a failed one. */
export function hostFault(host: Host): FaultControl {
  const id = host.id;
  if (host.state === 'failed') {
    return {
      label: 'Restart host',
      title: `Restart host ${id}?`,
      description: `The simulator restarts host ${id}; the placement API sees it come back.`,
      fault: { kind: 'host-restart', hostId: id },
    };
  }
  return {
    label: 'Crash host',
    title: `Crash host ${id}?`,
    description: `The simulator crashes host ${id} as if it lost power. Its VMs stop and their memory expansions are affected until it restarts.`,
    fault: { kind: 'host-crash', hostId: id },
  };
}

export async function injectAndDescribe(inject: InjectFault, control: FaultControl): Promise<string> {
  const { seq } = await inject(control.fault);
  return `${control.label}: injected (simulator event #${seq}).`;
}
