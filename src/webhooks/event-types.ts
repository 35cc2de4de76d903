import type { EventCatalog } from '../platform/events/registry.js';

/**
 * The event types an endpoint can ask for. Chain activity comes through subscriptions;
 * platform events (other modules' outbox events) by naming their type, or a whole family
 * with `family.*`; `*` is everything.
 */

/** Produced by subscriptions to chain activity. */
export const CHAIN_EVENT_TYPES = [
  'address.activity',
  'contract.log',
  'block.new',
  // Reorged-out transactions come as `tx.mined` with stage `removed`.
  'tx.mined',
  // A watched transaction not mined by its deadline (`drop_after_seconds`).
  'tx.dropped',
] as const;

/** Produced by the webhook system itself. */
export const SYSTEM_EVENT_TYPES = ['webhook.ping', 'webhook.endpoint.disabled'] as const;

/**
 * The event types endpoints may name, given the platform's catalogue (every module's
 * public events, combined at wiring): chain and system types, the catalogue's public
 * types, `family.*` for a family with at least one public type, and `*`.
 */
export interface EventTypes {
  isKnown(type: string): boolean;
  /** Outbox types the platform-event subscriber listens to (the public ones). */
  readonly outboxTypes: readonly string[];
}

export function createEventTypes(catalog: Pick<EventCatalog, 'publicTypes'>): EventTypes {
  const platform = catalog.publicTypes();
  const known = new Set<string>([
    '*',
    'webhook.*',
    ...CHAIN_EVENT_TYPES,
    ...SYSTEM_EVENT_TYPES,
    ...platform,
    ...platform.map((t) => `${t.slice(0, t.indexOf('.'))}.*`),
  ]);
  return { isKnown: (type) => known.has(type), outboxTypes: platform };
}

/** Compiles an endpoint's list into a predicate. */
export function typeMatcher(types: readonly string[]): (type: string) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  let all = false;
  for (const t of types) {
    if (t === '*') all = true;
    else if (t.endsWith('.*')) prefixes.push(t.slice(0, -1));
    else exact.add(t);
  }
  return (type) =>
    type === 'webhook.ping' || all || exact.has(type) || prefixes.some((p) => type.startsWith(p));
}

/** The catalogue an endpoint chooses from, as `GET /v1/event_types` and the docs show it. */
export interface EventTypeInfo {
  type: string;
  /** `chain` (from subscriptions), `system` (from webhooks itself) or the producing module. */
  source: string;
  description: string;
  payload: string;
  /** Who receives it: the users it belongs to, and operators too for operator events. */
  audience: 'owners' | 'owners_and_operators' | 'subscribers' | 'endpoint';
}

const CHAIN_DESCRIPTIONS: Record<(typeof CHAIN_EVENT_TYPES)[number], string> = {
  'address.activity': 'A native or token transfer from or to a watched address',
  'contract.log': 'A log of a watched contract, decoded with the abi given',
  'block.new': 'A new block of the chain',
  'tx.mined': 'A watched transaction was mined (stage `removed` if reorged out)',
  'tx.dropped': 'A watched transaction was not mined within its deadline',
};

export function eventTypeCatalogue(catalog: Pick<EventCatalog, 'list'>): EventTypeInfo[] {
  return [
    ...CHAIN_EVENT_TYPES.map((type) => ({
      type,
      source: 'chain',
      description: CHAIN_DESCRIPTIONS[type],
      payload: 'chain activity (see subscriptions)',
      audience: 'subscribers' as const,
    })),
    {
      type: 'webhook.ping',
      source: 'system',
      description: 'Sent to an endpoint once when it is created, whatever types it takes',
      payload: 'endpoint_id',
      audience: 'endpoint' as const,
    },
    ...catalog
      .list()
      .filter((e) => e.visibility === 'public')
      .map((e) => ({
        type: e.type,
        source: e.module,
        description: e.description,
        payload: e.payload,
        audience: e.operator ? ('owners_and_operators' as const) : ('owners' as const),
      })),
  ];
}

/** The catalogue as a Markdown table, for docs/event-types.md (`npm run docs:events`). */
export function eventTypesMarkdown(catalog: Pick<EventCatalog, 'list'>): string {
  const who: Record<EventTypeInfo['audience'], string> = {
    owners: 'the users it belongs to',
    owners_and_operators: 'the users it belongs to, and operators',
    subscribers: 'endpoints with a matching subscription',
    endpoint: 'the new endpoint',
  };
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '| Type | From | Sent to | Payload | What happened |',
    '| --- | --- | --- | --- | --- |',
    ...eventTypeCatalogue(catalog).map(
      (e) =>
        `| \`${e.type}\` | ${e.source} | ${who[e.audience]} | ${cell(e.payload)} | ${cell(e.description)} |`,
    ),
  ].join('\n');
}
