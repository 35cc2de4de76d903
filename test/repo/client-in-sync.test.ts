import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateClientFiles } from '../../scripts/client-files.js';

describe('the typed client (packages/client)', () => {
  it('is generated from the current /openapi.json (run `npm run client:generate` after an API change)', async () => {
    const files = await generateClientFiles();
    for (const [path, text] of Object.entries(files)) {
      expect(readFileSync(path, 'utf8'), `${path} is stale`).toBe(text);
    }
  });
});
