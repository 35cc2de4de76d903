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
 * Families of platform events (published by other modules) that can be forwarded.
 * Chain follower internals (`chain.*`) and ledger postings are not among them.
 */
export const PLATFORM_EVENT_FAMILIES = [
  'deposit',
  'withdrawal',
  'payment',
  'refund',
  'payout',
  'trade',
  'order',
  'coupon',
] as const;

const PLATFORM_TYPE = new RegExp(
  `^(${PLATFORM_EVENT_FAMILIES.join('|')})\\.([a-z0-9_]+(\\.[a-z0-9_]+)*|\\*)$`,
);
const KNOWN = new Set<string>([...CHAIN_EVENT_TYPES, ...SYSTEM_EVENT_TYPES]);

/** True for a type an endpoint may list. */
export function isKnownEventType(type: string): boolean {
  return type === '*' || KNOWN.has(type) || type === 'webhook.*' || PLATFORM_TYPE.test(type);
}

/** True for an outbox event type this module forwards to endpoints. */
export function isPlatformEventType(type: string): boolean {
  return PLATFORM_TYPE.test(type) && !type.endsWith('.*');
}

/** Outbox patterns the platform-event subscriber listens to. */
export const PLATFORM_OUTBOX_PATTERNS: readonly string[] = [
  ...PLATFORM_EVENT_FAMILIES.map((f) => `${f}.*`),
  'webhook.endpoint.disabled',
];

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
