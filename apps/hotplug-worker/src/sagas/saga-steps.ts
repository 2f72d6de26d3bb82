import type { HotplugJob } from '@mxs/contracts';
import type { HostAgent } from '@mxs/host-agent';
import type { Step } from './step-runner';

export interface Deadlines {
  readonly stepMs: number;
  readonly sanitizeMsPerGiB: number;
}

/** DESIGN §5, hot-add: fabric offer, host accept, region online (movable), VM plug. */
export function hotAddSteps(agent: HostAgent, job: HotplugJob, d: Deadlines): Step[] {
  const on = { expansionId: job.expansionId, hostId: job.hostId };
  return [
    { name: 'fabric-offer', deadlineMs: d.stepMs, run: (o) => agent.offerExtents({ ...on, extents: job.extents }, o) },
    { name: 'host-accept', deadlineMs: d.stepMs, run: (o) => agent.acceptExtents(on, o) },
    { name: 'host-online', deadlineMs: d.stepMs, run: (o) => agent.onlineRegion({ ...on, sizeGiB: job.sizeGiB }, o) },
    { name: 'vm-plug', deadlineMs: d.stepMs, run: (o) => agent.plugVmMemory({ ...on, vmId: job.vmId, sizeGiB: job.sizeGiB }, o) },
  ];
}

/** DESIGN §5, hot-remove, in reverse: VM unplug, offline blocks, destroy region, fabric release. */
export function hotRemoveSteps(agent: HostAgent, job: HotplugJob, d: Deadlines): Step[] {
  const on = { expansionId: job.expansionId, hostId: job.hostId };
  return [
    { name: 'vm-unplug', deadlineMs: d.stepMs, run: (o) => agent.unplugVmMemory({ ...on, vmId: job.vmId }, o) },
    { name: 'host-offline', deadlineMs: d.stepMs, run: (o) => agent.offlineRegion(on, o) },
    { name: 'host-destroy', deadlineMs: d.stepMs, run: (o) => agent.destroyRegion(on, o) },
    releaseStep(agent, job, d, false),
  ];
}

/** Scrubbing takes time with size: the release's deadline grows with it. */
export function releaseStep(agent: HostAgent, job: HotplugJob, d: Deadlines, force: boolean): Step {
  const on = { expansionId: job.expansionId, hostId: job.hostId };
  return {
    name: force ? 'fabric-force-release' : 'fabric-release',
    deadlineMs: d.stepMs + job.sizeGiB * d.sanitizeMsPerGiB,
    run: (o) => agent.releaseExtents({ ...on, force }, o),
  };
}

/**
 * What undoes a hot-add that reached `failedStep` (it may have half-happened): the VM gives the
 * memory back, the region goes offline and away, the fabric takes the extents back and scrubs
 * them. Undoing something that never happened is a no-op at the agent.
 */
export function hotAddUndoSteps(agent: HostAgent, job: HotplugJob, d: Deadlines, failedStep: string): Step[] {
  const order = hotAddSteps(agent, job, d).map((s) => s.name);
  const reached = Math.max(0, order.indexOf(failedStep));
  const removal = hotRemoveSteps(agent, job, d);
  const undo: Step[] = [];
  if (reached >= 3) undo.push(named(removal[0] as Step, 'undo-vm-plug'));
  if (reached >= 2) undo.push(named(removal[1] as Step, 'undo-host-online'), named(removal[2] as Step, 'undo-host-region'));
  undo.push(named(removal[3] as Step, 'undo-fabric-offer'));
  return undo;
}

/** What puts the memory back when a hot-remove gives up before the region is gone. */
export function hotRemoveRollbackSteps(agent: HostAgent, job: HotplugJob, d: Deadlines): Step[] {
  const [, , online, plug] = hotAddSteps(agent, job, d);
  return [named(online as Step, 'rollback-host-online'), named(plug as Step, 'rollback-vm-plug')];
}

function named(step: Step, name: string): Step {
  return { ...step, name };
}
