// Rewrites the configuration table in docs/configuration.md from the settings the
// platform and every module declare (composed in src/modules.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { configTableMarkdown } from '../src/modules.js';

const path = new URL('../docs/configuration.md', import.meta.url);
const readme = readFileSync(path, 'utf8');
const start = '<!-- config:start -->';
const end = '<!-- config:end -->';
const a = readme.indexOf(start);
const b = readme.indexOf(end);
if (a < 0 || b < a) throw new Error('docs/configuration.md lacks the config markers');
writeFileSync(
  path,
  `${readme.slice(0, a + start.length)}\n${configTableMarkdown()}\n${readme.slice(b)}`,
);
console.log('docs/configuration.md: configuration table updated');
