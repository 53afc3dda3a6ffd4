import { RequestCancelledV1 } from '@aisbf/contracts';
import type { EventBus } from './event-bus';

/**
 * Work in flight in this process, by request id, so that a `evt.request.cancelled.v1` broadcast (the client went
 * away) aborts it wherever it runs.
 */
export class InflightRegistry {
  private readonly inflight = new Map<string, Set<AbortController>>();

  constructor(bus?: EventBus) {
    bus?.subscribe(RequestCancelledV1, ({ requestId, reason }) => {
      this.abort(requestId, reason);
    });
  }

  /** Register work for `requestId`; call `release` when it is done. */
  track(requestId: string): { signal: AbortSignal; release: () => void; controller: AbortController } {
    const controller = new AbortController();
    let set = this.inflight.get(requestId);
    if (!set) this.inflight.set(requestId, (set = new Set()));
    set.add(controller);
    const release = () => {
      const s = this.inflight.get(requestId);
      s?.delete(controller);
      if (s && s.size === 0) this.inflight.delete(requestId);
    };
    return { signal: controller.signal, release, controller };
  }

  abort(requestId: string, reason = 'cancelled'): boolean {
    const set = this.inflight.get(requestId);
    if (!set) return false;
    for (const c of set) c.abort(new Error(reason));
    this.inflight.delete(requestId);
    return true;
  }

  get size(): number {
    return this.inflight.size;
  }
}
