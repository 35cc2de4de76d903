import { describe, expect, it } from 'vitest';
import { decodeBatch, encodeBatch } from './engine.js';

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
});
