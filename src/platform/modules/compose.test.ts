import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { setting } from '../config/config.js';
import { composeModules } from './compose.js';
import { defineModule } from './descriptor.js';

const plain = (name: string, dependsOn: string[] = [], extra: object = {}) =>
  defineModule<Record<string, unknown>>()({
    name,
    dependsOn,
    settings: {},
    build: () => name,
    ...extra,
  });

describe('composeModules', () => {
  it('builds each module after those it depends on, keeping the listed order otherwise', () => {
    const c = composeModules([plain('wallet', ['ledger']), plain('ledger'), plain('notes')]);
    expect(c.modules.map((m) => m.name)).toEqual(['ledger', 'wallet', 'notes']);
    expect(c.migrationOwners).toEqual(['platform', 'ledger', 'wallet', 'notes']);
  });

  it('refuses a cycle, an unknown dependency and a name listed twice', () => {
    expect(() => composeModules([plain('a', ['b']), plain('b', ['a'])])).toThrow(
      /cycle: a → b → a/,
    );
    expect(() => composeModules([plain('a', ['nope'])])).toThrow(/depends on nope/);
    expect(() => composeModules([plain('a'), plain('a')])).toThrow(/listed twice/);
    expect(() => composeModules([plain('platform')])).toThrow(/not "platform"/);
  });

  it('adds module roles after the platform’s and to the VW_ROLES choices', () => {
    const start = () => ({ stop: () => Promise.resolve() });
    const c = composeModules([
      plain('chains', [], { roles: [{ name: 'follower', description: '', start }] }),
    ]);
    expect(c.roles).toEqual(['api', 'worker', 'scheduler', 'follower']);
    expect(() =>
      composeModules([plain('x', [], { roles: [{ name: 'api', description: '', start }] })]),
    ).toThrow(/role api of x is declared twice/);
  });

  it('refuses two settings with one YAML key or one environment variable', () => {
    const s = (env: string) =>
      setting<number>({ env, kind: 'int', schema: z.number(), default: 1, doc: '' });
    expect(() => composeModules([plain('a', [], { settings: { port: s('VW_A_PORT') } })])).toThrow(
      /port \(VW_A_PORT\) of module a is also declared by platform/,
    );
    expect(() =>
      composeModules([
        plain('a', [], { settings: { aLimit: s('VW_LIMIT') } }),
        plain('b', [], { settings: { bLimit: s('VW_LIMIT') } }),
      ]),
    ).toThrow(/bLimit \(VW_LIMIT\) of module b is also declared by module a/);
  });
});
