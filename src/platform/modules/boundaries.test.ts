import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PLATFORM = join(SRC, 'platform');

/** Folders of src/ that are modules: everything but the platform and the binaries. */
function moduleFolders(): string[] {
  return readdirSync(SRC, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'platform' && d.name !== 'bin')
    .map((d) => d.name);
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return files(p);
    return d.name.endsWith('.ts') ? [p] : [];
  });
}

/** The module folders `text` (a file at `file`) imports from, static or dynamic. */
export function moduleImports(file: string, text: string, modules: readonly string[]): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)) {
    const spec = m[1];
    if (!spec?.startsWith('.')) continue;
    const target = relative(SRC, resolve(dirname(file), spec));
    const top = target.split(/[\\/]/)[0] ?? '';
    // Tests that build the whole app may use the composition root; code may not.
    const root = !file.endsWith('.test.ts') && /^(modules|app|events|migrations)\.js$/.test(target);
    if (modules.includes(top) || root) {
      found.push(target);
    }
  }
  return found;
}

describe('the platform knows no module', () => {
  it('no file under src/platform imports from a module folder (nor its code the composition root)', () => {
    const modules = moduleFolders();
    expect(modules).toEqual(expect.arrayContaining(['identity', 'ledger', 'wallet']));
    const self = fileURLToPath(import.meta.url);
    const offenders = files(PLATFORM)
      .filter((f) => f !== self)
      .flatMap((f) =>
        moduleImports(f, readFileSync(f, 'utf8'), modules).map((t) => `${relative(SRC, f)} → ${t}`),
      );
    expect(offenders).toEqual([]);
  });

  it('the check sees an import of a module, static, type-only or dynamic', () => {
    const f = join(PLATFORM, 'http', 'x.ts');
    expect(moduleImports(f, "import { a } from '../../wallet/service.js';", ['wallet'])).toEqual([
      'wallet/service.js',
    ]);
    expect(moduleImports(f, "import type { A } from '../../ledger/model.js';", ['ledger'])).toEqual(
      ['ledger/model.js'],
    );
    expect(moduleImports(f, "await import('../../chains/cli.js')", ['chains'])).toEqual([
      'chains/cli.js',
    ]);
    expect(moduleImports(f, "import { M } from '../../modules.js';", [])).toEqual(['modules.js']);
    expect(moduleImports(f, "import { db } from '../db/db.js';", ['wallet'])).toEqual([]);
  });
});
