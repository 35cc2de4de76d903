import pg from 'pg';

/**
 * Appends to `sent` the SQL text of every statement any node-postgres client sends (pooled clients
 * included, BEGIN/COMMIT too) until `stop()`: round trips counted from the driver's side.
 */
export function recordClientStatements(sent: string[]): { stop(): void } {
  const original = Object.getOwnPropertyDescriptor(pg.Client.prototype, 'query')?.value as (
    this: pg.Client,
    ...args: unknown[]
  ) => unknown;
  Object.defineProperty(pg.Client.prototype, 'query', {
    configurable: true,
    writable: true,
    value: function (this: pg.Client, ...args: unknown[]) {
      const q = args[0];
      sent.push(typeof q === 'string' ? q : String((q as { text?: unknown }).text));
      return original.apply(this, args);
    },
  });
  return {
    stop: () => {
      Object.defineProperty(pg.Client.prototype, 'query', {
        configurable: true,
        writable: true,
        value: original,
      });
    },
  };
}
