/**
 * Domain events as their producers declare them. Each module exports the registry of the
 * events it publishes; the root combines them at wiring into one catalogue, which the
 * outbox checks every publish against and the webhooks module and the docs read. The
 * platform never imports a module: registries come in as data.
 *
 * @example
 * export const WALLET_EVENT_REGISTRY = defineEvents('wallet', [
 *   { type: 'payment.completed', object: 'payment', description: 'Money moved …',
 *     owners: ownersFrom('from_user_id', 'to_user_id'), visibility: 'public' },
 * ]);
 */
export interface EventDefinition {
  /** Dotted lowercase words (`payment.completed`); `family.*` for a set of internal ones. */
  type: string;
  /** What happened, for the catalogue. */
  description: string;
  /** The API object the payload is (`payment`), or a short account of its fields. */
  payload: string;
  /**
   * Whom the event belongs to (user or merchant ids), from its payload: every side of it
   * (payer and payee of a payment). Only they receive it, through their own endpoints.
   */
  owners(payload: Record<string, unknown>): readonly string[];
  /** `public`: endpoints may subscribe; `internal`: plumbing between modules only. */
  visibility: 'public' | 'internal';
  /** Also sent to operators' (staff) endpoints: what operators act on, not private activity. */
  operator?: boolean;
}

export interface EventRegistry {
  readonly module: string;
  readonly events: readonly EventDefinition[];
}

export function defineEvents(module: string, events: readonly EventDefinition[]): EventRegistry {
  return { module, events };
}

/** Owners read from these payload fields (those holding a non-empty string). */
export function ownersFrom(...fields: string[]): EventDefinition['owners'] {
  return (payload) =>
    fields.flatMap((f) => {
      const v = payload[f];
      return typeof v === 'string' && v !== '' ? [v] : [];
    });
}

export interface CatalogEntry extends EventDefinition {
  module: string;
}

/** Every event of every module, by type. */
export interface EventCatalog {
  /** The definition of a published type (exact, or by an internal `family.*`). */
  get(type: string): CatalogEntry | undefined;
  /** Every definition, sorted by type. */
  list(): readonly CatalogEntry[];
  /** The public types (what endpoints may subscribe to). */
  publicTypes(): readonly string[];
}

export function createEventCatalog(registries: readonly EventRegistry[]): EventCatalog {
  const exact = new Map<string, CatalogEntry>();
  const families: [string, CatalogEntry][] = [];
  for (const r of registries) {
    for (const e of r.events) {
      const entry = { ...e, module: r.module };
      if (exact.has(e.type) || families.some(([p]) => p === e.type)) {
        throw new Error(`event type ${e.type} is declared twice (module ${r.module})`);
      }
      if (e.type.endsWith('.*')) {
        // A family is for plumbing with open-ended names (`chain.block.<stage>`): a
        // public type is named one by one, so the catalogue customers read is complete.
        if (e.visibility === 'public') {
          throw new Error(`public event type ${e.type} must be named, not a family`);
        }
        families.push([e.type.slice(0, -1), entry]);
      } else {
        exact.set(e.type, entry);
      }
    }
  }
  const all = [...exact.values(), ...families.map(([, e]) => e)].sort((a, b) =>
    a.type < b.type ? -1 : a.type > b.type ? 1 : 0,
  );
  const publicTypes = all.filter((e) => e.visibility === 'public').map((e) => e.type);
  return {
    get: (type) => exact.get(type) ?? families.find(([p]) => type.startsWith(p))?.[1],
    list: () => all,
    publicTypes: () => publicTypes,
  };
}
