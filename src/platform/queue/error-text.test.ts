import { describe, expect, it } from 'vitest';
import { errorMessage, errorTrace } from './error-text.js';

const STACK = [
  'Error: connect ECONNREFUSED 127.0.0.1:8545',
  '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)',
  '    at callRpc (/srv/vaultwire/src/chains/evm/rpc.ts:150:11)',
  '    at /srv/vaultwire/node_modules/pg-pool/index.js:45:11',
  '    at async run (file:///srv/vaultwire/dist/platform/queue/worker.js:220:7)',
  '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
  '    at load (/opt/elsewhere/plugin.js:3:9)',
].join('\n');

describe('a dead job’s error as the API shows it', () => {
  it('gives the message alone as the first line', () => {
    expect(errorMessage(STACK)).toBe('Error: connect ECONNREFUSED 127.0.0.1:8545');
    expect(errorMessage('thrown: nope')).toBe('thrown: nope');
    expect(errorMessage(null)).toBeNull();
  });

  it('gives the frames with no absolute path: relative to the install, the dependency or the file', () => {
    expect(errorTrace(STACK, '/srv/vaultwire')).toBe(
      [
        'at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)',
        'at callRpc (src/chains/evm/rpc.ts:150:11)',
        'at node_modules/pg-pool/index.js:45:11',
        'at async run (dist/platform/queue/worker.js:220:7)',
        'at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
        'at load (plugin.js:3:9)',
      ].join('\n'),
    );
  });

  it('has no trace for an error without frames', () => {
    expect(errorTrace('thrown: nope', '/srv')).toBeNull();
    expect(errorTrace(null, '/srv')).toBeNull();
  });
});
