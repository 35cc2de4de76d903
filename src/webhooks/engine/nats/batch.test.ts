import { describe, expect, it } from 'vitest';
import type { DispatchItem } from '../../model.js';
import { batchMessageId, decodeBatch, encodeBatch } from './engine.js';

describe('NATS batch framing', () => {
  it('round-trips bodies byte for byte, whatever they contain', () => {
    const items = [
      {
        id: 'msg_1',
        endpointId: 'whe_1',
        state: 'queued' as const,
        createdAtMs: 1,
        body: '{"a":"ünïcødé ✓"}',
      },
      {
        id: 'msg_2',
        endpointId: 'whe_1',
        state: 'queued' as const,
        createdAtMs: 2,
        body: 'line\nbreaks\tand tabs',
      },
      { id: 'msg_3', endpointId: 'whe_1', state: 'queued' as const, createdAtMs: 3, body: '' },
    ];
    expect(decodeBatch(encodeBatch(items))).toEqual(
      items.map((m) => ({ id: m.id, createdAtMs: m.createdAtMs, body: m.body })),
    );
    expect(() => decodeBatch(Buffer.from('msg_1\t1\t99\n{}'))).toThrow(/past the end/);
  });

  it('carries the row of a deferred message beside one that has a row', () => {
    const items: DispatchItem[] = [
      {
        id: 'msg_d',
        endpointId: 'whe_1',
        state: 'queued',
        createdAtMs: 5,
        body: '{"x":"\ttab in the body is fine"}',
        deferred: {
          eventId: 'cev_7',
          eventType: 'address.activity',
          chainKey: 'eth',
          blockNumber: 19_000_001n,
        },
      },
      {
        id: 'msg_p',
        endpointId: 'whe_1',
        state: 'queued',
        createdAtMs: 6,
        body: '{}',
        deferred: {
          eventId: 'evt_9',
          eventType: 'payment.completed',
          chainKey: null,
          blockNumber: null,
        },
      },
      { id: 'msg_r', endpointId: 'whe_1', state: 'queued', createdAtMs: 7, body: '{}' },
    ];
    expect(decodeBatch(encodeBatch(items))).toEqual(
      items.map((m) => ({
        id: m.id,
        createdAtMs: m.createdAtMs,
        body: m.body,
        ...(m.deferred ? { deferred: m.deferred } : {}),
      })),
    );
    const bad = { ...items[1], deferred: { ...items[1]?.deferred, eventId: 'evt\t1' } };
    expect(() => encodeBatch([bad as DispatchItem])).toThrow(/tab or newline/);
  });

  it('names a deferred batch by its events, so a re-ingest gets the same broker id', () => {
    const batch = (ids: string[], suffix: string): DispatchItem[] =>
      ids.map((e) => ({
        id: `msg_${e}_${suffix}`,
        endpointId: 'whe_1',
        state: 'queued',
        createdAtMs: 1,
        body: '{}',
        deferred: { eventId: e, eventType: 't', chainKey: null, blockNumber: null },
      }));
    // Fresh message ids on each run, same events: same id for the duplicate window.
    expect(batchMessageId('whe_1', batch(['a', 'b'], '1'))).toBe(
      batchMessageId('whe_1', batch(['a', 'b'], '2')),
    );
    expect(batchMessageId('whe_1', batch(['a', 'b'], '1'))).not.toBe(
      batchMessageId('whe_1', batch(['a', 'c'], '1')),
    );
    expect(batchMessageId('whe_1', batch(['a'], '1'))).not.toBe(
      batchMessageId('whe_2', batch(['a'], '1')),
    );
  });
});
