import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { platformEvents } from './events.js';
import { createEventCatalog, defineEvents, ownersFrom } from './platform/events/registry.js';
import { eventTypesMarkdown } from './webhooks/event-types.js';

const SRC = fileURLToPath(new URL('.', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sources(p);
    return d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') ? [p] : [];
  });
}

describe('the event catalogue', () => {
  it('registers every event type the code publishes', () => {
    const catalog = platformEvents();
    // `publish('type', …)`, `publish({ type: 'type', … })`, `eventStatement('type', …)`, and the `'a' : 'b'` choices
    // written inside a publish call; types built from a value (`withdrawal.${status}`)
    // are registered from that value's type, and the outbox refuses any it does not know.
    const published = new Set<string>();
    for (const file of sources(SRC)) {
      // Code only: examples in comments publish nothing.
      const text = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => !/^\s*(\*|\/\/|\/\*)/.test(l))
        .join('\n');
      // `eventStatement('type', …)`: an event written as one statement of a larger SQL cut.
      for (const m of text.matchAll(
        /(?:publish|eventStatement)\(\s*(?:\{\s*type:\s*)?'([a-z0-9_.]+)'/g,
      )) {
        if (m[1]) published.add(m[1]);
      }
      // `eventsStatement(list.map((x) => ({ type: 'type', … })))`: several at once.
      for (const m of text.matchAll(/eventsStatement\([^;]{0,80}?type: '([a-z0-9_.]+)'/g)) {
        if (m[1]) published.add(m[1]);
      }
      for (const m of text.matchAll(
        /publish\(\s*\n?\s*[a-z]+ === '[a-z]+' \? '([a-z0-9_.]+)' : '([a-z0-9_.]+)'/g,
      )) {
        if (m[1]) published.add(m[1]);
        if (m[2]) published.add(m[2]);
      }
    }
    // The scan finds the publishers of every module (guards against a scan finding nothing).
    for (const t of [
      'payment.completed',
      'fiat_deposit.settled',
      'deposit.confirmed',
      'withdrawal.broadcast',
      'webhook.endpoint.disabled',
    ]) {
      expect(published, t).toContain(t);
    }
    const missing = [...published].filter((t) => !catalog.get(t));
    expect(missing).toEqual([]);
  });

  it('refuses a type declared twice and a public family', () => {
    const one = defineEvents('a', [
      {
        type: 'x.done',
        description: '',
        payload: '',
        owners: ownersFrom('user_id'),
        visibility: 'public',
      },
    ]);
    expect(() => createEventCatalog([one, { ...one, module: 'b' }])).toThrow(/declared twice/);
    expect(() =>
      createEventCatalog([
        defineEvents('a', [
          { type: 'x.*', description: '', payload: '', owners: () => [], visibility: 'public' },
        ]),
      ]),
    ).toThrow(/must be named/);
  });

  it('keeps docs/event-types.md in step with the registries', () => {
    const doc = readFileSync(new URL('../docs/event-types.md', import.meta.url), 'utf8');
    expect(doc).toContain(eventTypesMarkdown(platformEvents()));
  });
});
