import { describe, expect, it } from 'vitest';
import { NodeopsSettingsSchema } from './settings.js';

/**
 * The `nodeops:` YAML section refuses a family-specific field on a chain or node of
 * another family, naming the field, instead of ignoring it.
 */
const issues = (input: unknown) => {
  const r = NodeopsSettingsSchema.safeParse(input);
  return r.success
    ? []
    : r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
};
const evm = { key: 'eth', family: 'evm' };
const eos = { key: 'eos', family: 'eos' };
const hub = { key: 'hub', family: 'cometbft' };

describe('family-specific fields in the nodeops settings', () => {
  it('refuses lcdUrl and cometbft or eos thresholds on another family, by name', () => {
    expect(issues({ chains: [{ ...evm, lcdUrl: 'https://lcd.example.com' }] })).toEqual([
      { path: 'chains.0.lcdUrl', message: 'lcdUrl is for cometbft chains; eth is evm' },
    ]);
    expect(issues({ chains: [hub, { ...eos, missedConsecutive: 3 }] })).toEqual([
      {
        path: 'chains.1.missedConsecutive',
        message: 'missedConsecutive is for cometbft chains; eos is eos',
      },
    ]);
    expect(issues({ chains: [{ ...hub, missedRounds: 2 }] })).toEqual([
      { path: 'chains.0.missedRounds', message: 'missedRounds is for eos chains; hub is cometbft' },
    ]);
  });

  it('refuses validatorAddress and producerName on nodes of another family', () => {
    const node = { chain: 'eth', region: 'eu', role: 'validator', url: 'http://10.0.0.1:8545' };
    expect(
      issues({
        chains: [evm],
        nodes: [
          { ...node, name: 'a', validatorAddress: 'AB'.repeat(20) },
          { ...node, name: 'b', producerName: 'mybp' },
        ],
      }),
    ).toEqual([
      {
        path: 'nodes.0.validatorAddress',
        message: "validatorAddress is for nodes of cometbft chains; a's chain eth is evm",
      },
      {
        path: 'nodes.1.producerName',
        message: "producerName is for nodes of eos chains; b's chain eth is evm",
      },
    ]);
  });

  it('takes each field on its own family', () => {
    expect(
      issues({
        chains: [
          { ...hub, lcdUrl: 'https://lcd.example.com', missedConsecutive: 3 },
          { ...eos, missedRounds: 2 },
        ],
        nodes: [
          {
            name: 'v',
            chain: 'hub',
            region: 'eu',
            role: 'validator',
            url: 'http://10.0.0.1:26657',
            validatorAddress: 'AB'.repeat(20),
          },
          {
            name: 'p',
            chain: 'eos',
            region: 'eu',
            role: 'validator',
            url: 'http://10.0.0.2:8888',
            producerName: 'mybp',
          },
        ],
      }),
    ).toEqual([]);
  });
});
