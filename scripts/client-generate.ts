/**
 * Regenerates the typed client's OpenAPI types (`packages/client/src/schema.ts`) and
 * request rules (`packages/client/src/rules.ts`) from the server's `/openapi.json`, read
 * in-process from an app on an in-memory database (no port, no server to run).
 *
 * `npm run client:generate` writes them; `npm run client:check` (and the test
 * test/repo/client-in-sync.test.ts) fails when the checked-in files differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { generateClientFiles } from './client-files.js';

const check = process.argv.includes('--check');
const files = await generateClientFiles();
let stale = 0;
for (const [path, text] of Object.entries(files)) {
  let current: string;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = '';
  }
  if (current === text) continue;
  if (check) {
    stale++;
    console.error(
      `${path} is out of date with the server's /openapi.json: run npm run client:generate`,
    );
  } else {
    writeFileSync(path, text);
    console.log(`wrote ${path}`);
  }
}
if (stale > 0) process.exit(1);
if (check) console.log('the typed client matches /openapi.json');
