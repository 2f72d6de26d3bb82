/// <reference types="jest" />
import type { HostAgent } from '@mxs/host-agent';
import { OperationStore } from './sagas/operation-store';
import { TestStack } from './testing/stack';
import { HOST_AGENT } from './tokens';

const ALL_ADD_STEPS = ['fabric-offer', 'host-accept', 'host-online', 'vm-plug'];
const ALL_REMOVE_STEPS = ['fabric-release', 'host-destroy', 'host-offline', 'vm-unplug'];
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let stack: TestStack;

beforeAll(async () => {
  stack = await TestStack.start('checkpoints-e2e');
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('step checkpoints', () => {
  it('writes the checkpoints of steps that finish within MXS_CHECKPOINT_AFTER_MS of each other with the saga\'s ending', async () => {
    const worker = await stack.startWorker({ MXS_CHECKPOINT_AFTER_MS: '60000' });
    const writes = jest.spyOn(worker.app.get(OperationStore), 'recordSteps');
    try {
      const id = (await stack.requestExpansion(stack.tenant.vmIds[0] as string, { sizeGiB: 2, tier: 'any' })).body.id as string;
      await stack.expansionReaches(id, ['active']);
      await stack.removeExpansion(id);
      await stack.expansionReaches(id, ['released']);
      // No write of their own: each saga's steps went with its ending, all of them.
      expect(writes).not.toHaveBeenCalled();
      expect(await stack.checkpointedSteps(id, 'hot-add')).toEqual(ALL_ADD_STEPS);
      expect(await stack.checkpointedSteps(id, 'hot-remove')).toEqual(ALL_REMOVE_STEPS);
      // Each with its place in the saga: steps that finish within a millisecond keep their order.
      const [add] = await stack.sql<{ positions: Record<string, number> }>(
        `SELECT jsonb_object_agg(k, (v->>'position')::int) AS positions FROM operations, jsonb_each(checkpoint->'steps') AS s(k, v) WHERE expansion_id = $1 AND kind = 'hot-add'`,
        [id],
      );
      expect(add?.positions).toEqual({ 'fabric-offer': 0, 'host-accept': 1, 'host-online': 2, 'vm-plug': 3 });
    } finally {
      writes.mockRestore();
      await worker.stop();
    }
  });

  it('writes the checkpoint of the steps before a step while that step runs longer than MXS_CHECKPOINT_AFTER_MS', async () => {
    const worker = await stack.startWorker({ MXS_CHECKPOINT_AFTER_MS: '50' });
    const agent = worker.app.get<HostAgent>(HOST_AGENT);
    const { onlineRegion } = agent;
    let seenWhileOnlining: string[] | null = null;
    // The region's online holds until the offer and the accept are in the checkpoint (10 s at most).
    agent.onlineRegion = async (req, opts) => {
      if (seenWhileOnlining === null) {
        const until = Date.now() + 10_000;
        do {
          seenWhileOnlining = await stack.checkpointedSteps(req.expansionId, 'hot-add');
          if (seenWhileOnlining.length < 2) await sleep(20);
        } while (seenWhileOnlining.length < 2 && Date.now() < until);
      }
      return onlineRegion.call(agent, req, opts);
    };
    try {
      const id = (await stack.requestExpansion(stack.tenant.vmIds[1] as string, { sizeGiB: 2, tier: 'any' })).body.id as string;
      await stack.expansionReaches(id, ['active']);
      expect(seenWhileOnlining).toEqual(['fabric-offer', 'host-accept']);
      expect(await stack.checkpointedSteps(id, 'hot-add')).toEqual(ALL_ADD_STEPS);
    } finally {
      Object.assign(agent, { onlineRegion });
      await worker.stop();
    }
  });
});
