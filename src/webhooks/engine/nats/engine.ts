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
import type { DeferredRow, DispatchItem } from '../../model.js';
import type { ConsumeOptions, DeliveryEngine, EngineConsumer } from '../engine.js';

/**
 * The scale-out engine on NATS JetStream.
 *
 * One work-queue stream holds first attempts, in batches: one broker message carries up
 * to `batch` deliveries of one endpoint (as ingest created them together), so the
 * broker's work per delivery is a fraction of a message. The JetStream message id names
 * the batch's first and last `webhook-id`, so a re-publish inside the duplicate window is
 * dropped by the server. Subjects are partitioned by endpoint (`<prefix>.<partition>`) so a deployment
 * can split partitions over several streams and servers as it grows. Every `delivery`
 * process pulls from one shared durable consumer: the server hands each message to one
 * of them, and a message whose worker dies unacknowledged comes back after `ackWaitMs`.
 *
 * First attempts of unordered endpoints are *deferred*: no row exists until the worker
 * writes it with the outcome (see `createDeferred` in ingest.ts), so the broker is their
 * only copy until then (file storage; replicas in a cluster). A batch is acknowledged
 * only after every outcome in it is written to PostgreSQL. Before sending, a worker skips
 * deferred messages whose event already has a row for the endpoint (a repeat of the
 * events, or a batch redelivered after its worker died), and in a redelivered batch the
 * rows-first messages already delivered. Failures become `pending` rows with their retry
 * time and leave the stream (retries run from PostgreSQL), so the broker never holds
 * acknowledgements for hours.
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
  /** Most deliveries of one endpoint carried by one broker message. */
  batch: number;
}

/** The durable consumer every delivery process pulls from (autoscalers read its backlog). */
export const NATS_CONSUMER = 'vw-webhook-delivery';
const PUBLISH_WINDOW = 256;

/**
 * A batch on the wire: per message a header line, then exactly `bytes` bytes of body (the
 * body is signed as is, so it is never re-encoded). The header line is
 * `id<TAB>created_ms<TAB>bytes<LF>` for a message whose row exists, and
 * `id<TAB>created_ms<TAB>bytes<TAB>D<TAB>event_id<TAB>event_type<TAB>chain_key<TAB>block<LF>`
 * for a deferred one (no row yet; empty chain_key/block for none).
 */
export function encodeBatch(items: readonly DispatchItem[]): Uint8Array {
  const parts: Buffer[] = [];
  for (const m of items) {
    const body = Buffer.from(m.body);
    let head = `${m.id}\t${m.createdAtMs}\t${body.length}`;
    const d = m.deferred;
    if (d) {
      const fields = [d.eventId, d.eventType, d.chainKey ?? '', d.blockNumber?.toString() ?? ''];
      // Ours, not a customer's, but a tab or newline here would shift every later field.
      if (fields.some((f) => /[\t\n]/.test(f))) {
        throw new Error(`webhook message ${m.id}: tab or newline in an event field`);
      }
      head += `\tD\t${fields.join('\t')}`;
    }
    parts.push(Buffer.from(`${head}\n`), body);
  }
  return Buffer.concat(parts);
}

export interface DecodedMessage {
  id: string;
  createdAtMs: number;
  body: string;
  deferred?: DeferredRow;
}

export function decodeBatch(data: Uint8Array): DecodedMessage[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out: DecodedMessage[] = [];
  let at = 0;
  while (at < buf.length) {
    const nl = buf.indexOf(10, at);
    if (nl < 0) throw new Error('malformed webhook batch: header line without end');
    const [id = '', created = '0', bytes = '0', flag, eventId, eventType, chainKey, block] = buf
      .toString('latin1', at, nl)
      .split('\t');
    const end = nl + 1 + Number(bytes);
    if (end > buf.length) throw new Error('malformed webhook batch: body runs past the end');
    const m: DecodedMessage = {
      id,
      createdAtMs: Number(created),
      body: buf.toString('utf8', nl + 1, end),
    };
    if (flag === 'D') {
      if (!eventId || !eventType) throw new Error('malformed webhook batch: deferred row fields');
      m.deferred = {
        eventId,
        eventType,
        chainKey: chainKey || null,
        blockNumber: block ? BigInt(block) : null,
      };
    }
    out.push(m);
    at = end;
  }
  return out;
}

/**
 * The JetStream message id of a batch, for the server's duplicate window. Rows-first
 * messages keep their ids across a re-publish, so the ids name the batch; deferred ones
 * get fresh ids on every ingest run, so their batch is named by endpoint and event ids.
 */
export function batchMessageId(endpointId: string, chunk: readonly DispatchItem[]): string {
  if (chunk.every((m) => m.deferred)) {
    const h = createHash('sha256').update(endpointId);
    for (const m of chunk) h.update('\u0000').update(m.deferred?.eventId ?? '');
    return `d:${h.digest('base64url')}:${chunk.length}`;
  }
  return `${chunk[0]?.id ?? ''}:${chunk[chunk.length - 1]?.id ?? ''}:${chunk.length}`;
}

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
    await jsm.consumers.info(settings.stream, NATS_CONSUMER);
    await jsm.consumers.update(settings.stream, NATS_CONSUMER, {
      ack_wait: ms(settings.ackWaitMs),
      max_ack_pending: settings.maxAckPending,
    });
  } catch {
    await jsm.consumers.add(settings.stream, {
      durable_name: NATS_CONSUMER,
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
    defersRows: true,
    connection: nc,

    async dispatch(items: readonly DispatchItem[]) {
      // One broker message per batch of an endpoint's messages: the broker's work per
      // delivery shrinks by the batch size.
      const byEndpoint = new Map<string, DispatchItem[]>();
      for (const m of items) {
        const list = byEndpoint.get(m.endpointId) ?? [];
        list.push(m);
        byEndpoint.set(m.endpointId, list);
      }
      const publishes: (() => Promise<unknown>)[] = [];
      for (const [endpointId, list] of byEndpoint) {
        for (let i = 0; i < list.length; i += settings.batch) {
          const chunk = list.slice(i, i + settings.batch);
          const h = natsHeaders();
          h.set('Vw-Endpoint', endpointId);
          publishes.push(() =>
            js.publish(subjectFor(endpointId), encodeBatch(chunk), {
              msgID: batchMessageId(endpointId, chunk),
              headers: h,
            }),
          );
        }
      }
      // A window of publishes in flight: the server acknowledges each once stored.
      for (let i = 0; i < publishes.length; i += PUBLISH_WINDOW) {
        await Promise.all(publishes.slice(i, i + PUBLISH_WINDOW).map((p) => p()));
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
            const consumer = await js.consumers.get(settings.stream, NATS_CONSUMER);
            iterator = await consumer.consume({
              // Batches buffered: enough to keep every request slot busy, no more.
              max_messages: Math.max(8, Math.ceil((options.maxInFlight * 2) / settings.batch)),
            });
            for await (const m of iterator) {
              if (isStopped()) {
                // Not ours to finish: give it straight back to another worker.
                m.nak();
                continue;
              }
              const endpointId = m.headers?.get('Vw-Endpoint') ?? '';
              let batch = decodeBatch(m.data);
              // A redelivered batch (its worker died) may be partly delivered already.
              if (m.redelivered && options.alreadyDelivered) {
                const rowsFirst = batch.filter((b) => !b.deferred).map((b) => b.id);
                if (rowsFirst.length > 0) {
                  const done = await options.alreadyDelivered(rowsFirst);
                  batch = batch.filter((b) => !done.has(b.id));
                }
              }
              // Deferred messages: a row for the event means it was sent already (a repeat
              // of the events, or this batch's worker died after recording some).
              const deferred = batch.flatMap((b) => (b.deferred ? [b.deferred.eventId] : []));
              if (deferred.length > 0 && options.existingEvents) {
                const have = await options.existingEvents(endpointId, deferred);
                if (have.size > 0) {
                  batch = batch.filter((b) => !b.deferred || !have.has(b.deferred.eventId));
                }
              }
              // A batch can outlast the ack wait behind a slow receiver: keep it ours.
              const heartbeat = setInterval(
                () => {
                  m.working();
                },
                Math.max(1000, Math.floor(settings.ackWaitMs / 3)),
              );
              const handled: Promise<void>[] = [];
              for (const item of batch) {
                await gate.acquire();
                handled.push(
                  options
                    .handle({
                      messageId: item.id,
                      endpointId,
                      body: item.body,
                      attempts: 0,
                      claim: null,
                      createdAtMs: item.createdAtMs,
                      // Always present (undefined when the row exists): one object shape
                      // for every task keeps the hot path's property reads monomorphic.
                      deferred: item.deferred,
                    })
                    .finally(() => {
                      gate.release();
                    }),
                );
              }
              Promise.all(handled)
                .then(
                  () => {
                    m.ack();
                  },
                  (err: unknown) => {
                    logger.error({ err, endpointId }, 'webhook batch failed; redelivering');
                    m.nak(1000);
                  },
                )
                .finally(() => {
                  clearInterval(heartbeat);
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
      const info = await jsm.consumers.info(settings.stream, NATS_CONSUMER);
      return { pending: info.num_pending, ackPending: info.num_ack_pending };
    },

    async close() {
      await Promise.all(consumers.map((c) => c.stop()));
      await nc.drain().catch(() => nc.close());
    },
  };
}
