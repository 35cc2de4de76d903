import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  engines: { node: string };
  overrides?: Record<string, string>;
};
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
  packages: Record<string, { version?: string; engines?: Record<string, string> | string[] }>;
};

describe('supported Node.js versions', () => {
  it('every package in the lockfile runs on every Node.js version package.json declares', () => {
    const declared = pkg.engines.node;
    // npm warns EBADENGINE on install for any package whose range leaves out the running
    // Node: a declared version outside a dependency's range would warn and may break.
    const refusing = Object.entries(lock.packages)
      .filter(([path]) => path !== '')
      .flatMap(([path, p]) => {
        const wanted = Array.isArray(p.engines) ? undefined : p.engines?.node;
        return wanted && !semver.subset(declared, wanted)
          ? [`${path}@${p.version}: ${wanted}`]
          : [];
      });
    expect(refusing).toEqual([]);
  });

  it('the Node.js running the tests is one package.json declares', () => {
    expect(semver.satisfies(process.version, pkg.engines.node)).toBe(true);
  });
});
