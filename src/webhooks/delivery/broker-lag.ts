/**
 * Queue lag per endpoint for messages that wait in the broker (nats engine), where
 * PostgreSQL cannot see them: deferred first attempts have no row until they are sent.
 *
 * Measured where a worker makes a first attempt: the message's age at that moment. While
 * workers keep up, that is milliseconds; when they fall behind (too few workers, or an
 * endpoint's in-flight bound holding its messages back), the messages they send are as
 * old as the backlog is long — the signal PostgreSQL gives as the age of the oldest due
 * row, measured at the other end of the queue.
 *
 * A figure stays until a newer take replaces it. It is forgotten only when it is stale
 * AND this process is idle with room to spare: a consumer with free slots that takes
 * nothing for `staleMs` is looking at an empty stream. A saturated process keeps its
 * last figures, so a stalled fleet does not report zero lag. The figures are this
 * process's; Prometheus takes the maximum over the fleet.
 */
export interface BrokerLag {
  /** A first attempt to `endpointId` starts now, of a message created then. */
  attempted(endpointId: string, createdAtMs: number): void;
  /** Whether the consumer has free slots now (it would take more if the stream had any). */
  setIdleCheck(hasRoom: () => boolean): void;
  /** Seconds of lag per endpoint, as last measured. */
  snapshot(): Map<string, number>;
}

export function createBrokerLag(options: { staleMs?: number; now?: () => number } = {}): BrokerLag {
  const staleMs = options.staleMs ?? 30_000;
  const now = options.now ?? Date.now;
  const byEndpoint = new Map<string, { seconds: number; at: number }>();
  let lastTake = 0;
  let hasRoom: () => boolean = () => true;
  return {
    attempted(endpointId, createdAtMs) {
      const t = now();
      lastTake = t;
      const seconds = Math.max(0, t - createdAtMs) / 1000;
      // Once per delivery: update in place rather than allocate.
      const e = byEndpoint.get(endpointId);
      if (e) {
        e.seconds = seconds;
        e.at = t;
      } else byEndpoint.set(endpointId, { seconds, at: t });
    },
    setIdleCheck(check) {
      hasRoom = check;
    },
    snapshot() {
      const t = now();
      const idle = t - lastTake > staleMs && hasRoom();
      const out = new Map<string, number>();
      for (const [id, e] of byEndpoint) {
        // Stale next to newer takes of other endpoints: this one's backlog drained.
        const drained = t - e.at > staleMs && (idle || lastTake > e.at);
        if (drained) byEndpoint.delete(id);
        else out.set(id, e.seconds);
      }
      return out;
    },
  };
}
