// Rewrites the event type table in docs/event-types.md from the modules' event registries.
import { readFileSync, writeFileSync } from 'node:fs';
import { platformEvents } from '../src/events.js';
import { eventTypesMarkdown } from '../src/webhooks/event-types.js';

const path = new URL('../docs/event-types.md', import.meta.url);
const doc = readFileSync(path, 'utf8');
const start = '<!-- event-types:start -->';
const end = '<!-- event-types:end -->';
const a = doc.indexOf(start);
const b = doc.indexOf(end);
if (a < 0 || b < a) throw new Error('docs/event-types.md lacks the event-types markers');
writeFileSync(
  path,
  `${doc.slice(0, a + start.length)}\n${eventTypesMarkdown(platformEvents())}\n${doc.slice(b)}`,
);
console.log('docs/event-types.md updated');
