import {
  offerExtentsBodySchema,
  onlineRegionBodySchema,
  plugVmBodySchema,
  releaseDeviceExtentsBodySchema,
  releaseExpansionBodySchema,
  unplugVmBodySchema,
  waitQuerySchema,
} from '@mxs/host-agent';
import type { DirectRoute, KitRequest } from '@mxs/service-kit';
import { directRoute } from '@mxs/service-kit';
import { idSchema } from '@mxs/topology';
import { z } from 'zod';
import { deviceView } from './model/devices';
import { healthView, hostView, switchView } from './model/views';
import type { SimulatorService } from './simulator.service';

const onHost = z.strictObject({ hostId: idSchema });
const expansionOnHost = z.strictObject({ hostId: idSchema, expansionId: idSchema });
const vmOnHost = z.strictObject({ hostId: idSchema, vmId: idSchema });
const onDevice = z.strictObject({ deviceId: idSchema });

/** A request whose client went away: a long-poll for it stops early. */
const gone = (req: KitRequest) => () => req.socket.destroyed;

/**
 * The simulated hosts' agents (`/hosts/{hostId}/…`) and the fabric managers (`/fabric/…`): the
 * calls a saga's steps make, and the state views reconciliation and tests read. Served as direct
 * routes (see serveDirectRoutes): at four calls per saga they were most of the simulator's CPU
 * through express and Nest.
 */
export function agentRoutes(service: SimulatorService): DirectRoute[] {
  return [
    directRoute({
      method: 'GET', path: '/hosts/:hostId', params: onHost,
      handle: ({ params }) => hostView(service.sim, service.sim.host(params.hostId)),
    }),
    directRoute({
      method: 'POST', path: '/hosts/:hostId/expansions/:expansionId/accept', params: expansionOnHost, query: waitQuerySchema, status: 204,
      handle: ({ params }) => service.instant('accept-extents', (sim) => sim.acceptExtents(params)),
    }),
    directRoute({
      method: 'POST', path: '/hosts/:hostId/regions/:expansionId/online',
      params: expansionOnHost, query: waitQuerySchema, body: onlineRegionBodySchema,
      handle: ({ params, query, body, req }) => {
        const r = { ...params, sizeGiB: body.sizeGiB };
        return service.step('online-region', query.waitMs, (sim) => sim.onlineRegion(r), (sim) => sim.onlineProgress(r), gone(req));
      },
    }),
    directRoute({
      method: 'POST', path: '/hosts/:hostId/regions/:expansionId/offline', params: expansionOnHost, query: waitQuerySchema,
      handle: ({ params, query, req }) =>
        service.step('offline-region', query.waitMs, (sim) => sim.offlineRegion(params), (sim) => sim.offlineProgress(params), gone(req)),
    }),
    directRoute({
      method: 'DELETE', path: '/hosts/:hostId/regions/:expansionId', params: expansionOnHost, query: waitQuerySchema, status: 204,
      handle: ({ params }) => service.instant('destroy-region', (sim) => sim.destroyRegion(params)),
    }),
    directRoute({
      method: 'POST', path: '/hosts/:hostId/vms/:vmId/plug', params: vmOnHost, query: waitQuerySchema, body: plugVmBodySchema,
      handle: ({ params, query, body, req }) => {
        const r = { ...params, ...body };
        return service.step('plug-vm-memory', query.waitMs, (sim) => sim.plugVmMemory(r), (sim) => sim.vmProgress(r), gone(req));
      },
    }),
    directRoute({
      method: 'POST', path: '/hosts/:hostId/vms/:vmId/unplug', params: vmOnHost, query: waitQuerySchema, body: unplugVmBodySchema,
      handle: ({ params, query, body, req }) => {
        const r = { ...params, ...body };
        return service.step('unplug-vm-memory', query.waitMs, (sim) => sim.unplugVmMemory(r), (sim) => sim.vmProgress(r), gone(req));
      },
    }),
    directRoute({
      method: 'POST', path: '/fabric/devices/:deviceId/extents', status: 204,
      params: onDevice, query: waitQuerySchema, body: offerExtentsBodySchema,
      handle: ({ params, body }) => service.instant('offer-extents', (sim) => sim.offerExtents(params.deviceId, body)),
    }),
    directRoute({
      method: 'POST', path: '/fabric/devices/:deviceId/extents/release',
      params: onDevice, query: waitQuerySchema, body: releaseDeviceExtentsBodySchema,
      handle: ({ params, query, body, req }) => {
        const r = { ...body, deviceId: params.deviceId };
        service.sim.device(params.deviceId);
        return service.step('release-extents', query.waitMs, (sim) => sim.releaseExtents(r), (sim) => sim.releaseProgress(r), gone(req));
      },
    }),
    // Releases an expansion's extents on every device holding them: the client need not know which.
    directRoute({
      method: 'POST', path: '/fabric/expansions/:expansionId/release',
      params: z.strictObject({ expansionId: idSchema }), query: waitQuerySchema, body: releaseExpansionBodySchema,
      handle: ({ params, query, body, req }) => {
        const r = { ...body, expansionId: params.expansionId };
        service.sim.host(body.hostId);
        return service.step('release-extents', query.waitMs, (sim) => sim.releaseExtents(r), (sim) => sim.releaseProgress(r), gone(req));
      },
    }),
    directRoute({
      method: 'GET', path: '/fabric/devices/:deviceId', params: onDevice,
      handle: ({ params }) => deviceView(service.sim.device(params.deviceId)),
    }),
    directRoute({
      method: 'GET', path: '/fabric/devices/:deviceId/health', params: onDevice,
      handle: ({ params }) => healthView(service.sim.device(params.deviceId)),
    }),
    directRoute({
      method: 'GET', path: '/fabric/switches/:switchId', params: z.strictObject({ switchId: idSchema }),
      handle: ({ params }) => switchView(service.sim, params.switchId),
    }),
  ];
}
