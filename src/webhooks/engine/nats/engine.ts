import { createHash } from 'node:crypto';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../../../platform/observability/logger.js';
import { Semaphore } from '../../delivery/policy.js';
import type { DispatchItem } from '../../model.js';
import type { ConsumeOptions, DeliveryEngine, EngineConsumer } from '../engine.js';

/**
 * The scale-out engine on NATS JetStream.
 *
 * One work-queue stream holds first attempts, one message per delivery: the body is the
 * payload, the endpoint and creation time ride in headers, and the JetStream message id
 * is the `webhook-id`, so a re-publish inside the duplicate window is dropped by the
 * server. Subjects are partitioned by endpoint (`<prefix>.<partition>`) so a deployment
 * can split partitions over several streams and servers as it grows. Every `delivery`
 * process pulls from one shared durable consumer: the server hands each message to one
 * of them, and a message whose worker dies unacknowledged comes back after `ackWaitMs`.
 *
 * A message is acknowledged only after its outcome is written to PostgreSQL; failures
 * become `pending` rows with their retry time and leave the stream (retries run from
 * PostgreSQL), so the broker never holds acknowledgements for hours.
 */
export interface NatsEngineSettings {
  url: string;
  /** Stream name (and subject prefix, lowercased). */
  stream: string;
  partitions: number;
  ackWaitMs: number;
  /** Unacknowledged messages the consumer allows across all workers. */
  maxAckPending: number;
  /** `file` (durable) or `memory`. */
  storage: 'file' | 'memory';
  /** Copies of the stream in a cluster (1 on a single server). */
  replicas: number;
}

const CONSUMER = 'vw-webhook-delivery';
const PUBLISH_WINDOW = 2048;

export async function createNatsEngine(deps: {
  settings: NatsEngineSettings;
  logger: Logger;
  /** Connection name, shown by the server. */
  name: string;
}): Promise<DeliveryEngine & { readonly connection: NatsConnection }> {
  const { settings, logger } = deps;
  const nc = await connect({
    servers: settings.url,
    name: deps.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  });
  const jsm: JetStreamManager = await jetstreamManager(nc);
  const js: JetStreamClient = jetstream(nc);
  const prefix = settings.stream.toLowerCase();
  const ms = (n: number) => n * 1_000_000;

  try {
    await jsm.streams.info(settings.stream);
  } catch {
    await jsm.streams.add({
      name: settings.stream,
      subjects: [`${prefix}.*`],
      retention: RetentionPolicy.Workqueue,
      storage: settings.storage === 'memory' ? StorageType.Memory : StorageType.File,
      num_replicas: settings.replicas,
      max_age: ms(7 * 24 * 3600 * 1000),
      duplicate_window: ms(120_000),
    });
  }
  try {
    await jsm.consumers.info(settings.stream, CONSUMER);
    await jsm.consumers.update(settings.stream, CONSUMER, {
      ack_wait: ms(settings.ackWaitMs),
      max_ack_pending: settings.maxAckPending,
    });
  } catch {
    await jsm.consumers.add(settings.stream, {
      durable_name: CONSUMER,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: ms(settings.ackWaitMs),
      max_ack_pending: settings.maxAckPending,
      max_deliver: -1,
    });
  }

  const subjectOf = (endpointId: string) => {
    const h = createHash('sha1').update(endpointId).digest();
    return `${prefix}.${h.readUInt32BE(0) % settings.partitions}`;
  };
  const subjects = new Map<string, string>();
  const subjectFor = (endpointId: string) => {
    let s = subjects.get(endpointId);
    if (!s) {
      s = subjectOf(endpointId);
      if (subjects.size > 100_000) subjects.clear();
      subjects.set(endpointId, s);
    }
    return s;
  };

  const consumers: EngineConsumer[] = [];

  return {
    kind: 'nats',
    initialState: 'queued',
    connection: nc,

    async dispatch(items: readonly DispatchItem[]) {
      // A window of publishes in flight: the server acknowledges each once stored.
      for (let i = 0; i < items.length; i += PUBLISH_WINDOW) {
        await Promise.all(
          items.slice(i, i + PUBLISH_WINDOW).map((m) => {
            const h = natsHeaders();
            h.set('Vw-Endpoint', m.endpointId);
            h.set('Vw-Created', String(m.createdAtMs));
            return js.publish(subjectFor(m.endpointId), m.body, { msgID: m.id, headers: h });
          }),
        );
      }
    },

    consume(options: ConsumeOptions): EngineConsumer {
      let stopped = false;
      // A function, so checks after an await are not narrowed away by the loop condition.
      const isStopped = () => stopped;
      let iterator: ConsumerMessages | undefined;
      const gate = new Semaphore(options.maxInFlight);
      const loop = (async () => {
        while (!stopped) {
          try {
            const consumer = await js.consumers.get(settings.stream, CONSUMER);
            iterator = await consumer.consume({
              max_messages: Math.max(64, Math.min(options.maxInFlight, 4096)),
            });
            for await (const m of iterator) {
              await gate.acquire();
              if (isStopped()) {
                gate.release();
                // Not ours to finish: give it straight back to another worker.
                m.nak();
                continue;
              }
              const endpointId = m.headers?.get('Vw-Endpoint') ?? '';
              const created = Number(m.headers?.get('Vw-Created') ?? Date.now());
              const id = m.headers?.get('Nats-Msg-Id') ?? '';
              options
                .handle({
                  messageId: id,
                  endpointId,
                  body: m.string(),
                  attempts: 0,
                  claim: null,
                  createdAtMs: created,
                })
                .then(
                  () => {
                    m.ack();
                  },
                  (err: unknown) => {
                    logger.error({ err, messageId: id }, 'webhook delivery failed; redelivering');
                    m.nak(1000);
                  },
                )
                .finally(() => {
                  gate.release();
                });
            }
          } catch (err) {
            if (isStopped()) break;
            logger.error({ err }, 'NATS consumer failed; reconnecting');
            await new Promise((r) => setTimeout(r, 1000));
          }
        }
      })();
      const consumer: EngineConsumer = {
        async stop() {
          stopped = true;
          await iterator?.close();
          await loop;
          // Let deliveries in flight finish and acknowledge.
          while (gate.inFlight > 0) await new Promise((r) => setTimeout(r, 20));
        },
      };
      consumers.push(consumer);
      return consumer;
    },

    async backlog() {
      const info = await jsm.consumers.info(settings.stream, CONSUMER);
      return { pending: info.num_pending, ackPending: info.num_ack_pending };
    },

    async close() {
      await Promise.all(consumers.map((c) => c.stop()));
      await nc.drain().catch(() => nc.close());
    },
  };
}
