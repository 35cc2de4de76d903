import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The pictures the README and docs show are all there, and docs/screenshots holds nothing
 * else (`npm run screenshots` regenerates exactly that set): a renamed page or a dropped
 * test shows up here as a broken image, not on GitHub.
 */
describe('the docs’ screenshots', () => {
  const docs = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md'))].map((f) =>
    f === 'README.md' ? f : join('docs', f),
  );
  const linked = new Map<string, string>();
  for (const file of docs) {
    for (const m of readFileSync(file, 'utf8').matchAll(/screenshots\/([\w.-]+\.png)/g)) {
      linked.set(m[1] ?? '', file);
    }
  }

  it('every linked picture exists', () => {
    const missing = [...linked].filter(([name]) => !existsSync(join('docs/screenshots', name)));
    expect(missing).toEqual([]);
  });

  it('every picture in docs/screenshots is shown somewhere', () => {
    expect(readdirSync('docs/screenshots').filter((f) => !linked.has(f))).toEqual([]);
  });
});
