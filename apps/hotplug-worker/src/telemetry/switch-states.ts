import { JsonHttp, switchStateSchema } from '@mxs/host-agent';
import type { HttpClientOptions, SwitchStateView } from '@mxs/host-agent';

/**
 * A switch's state from its fabric manager (`GET /fabric/switches/{id}`). The HostAgent
 * interface has no call for it yet; when it gains one, this reader goes.
 */
export class SwitchStates {
  private readonly http: JsonHttp;

  constructor(options: HttpClientOptions) {
    this.http = new JsonHttp(options);
  }

  read(switchId: string, signal?: AbortSignal): Promise<SwitchStateView> {
    return this.http.call('GET', `/fabric/switches/${encodeURIComponent(switchId)}`, undefined, switchStateSchema, { signal });
  }

  close(): void {
    this.http.close();
  }
}
