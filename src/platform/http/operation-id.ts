/**
 * The OpenAPI `operationId` of a route, derived from its method and path so that every
 * route has one (generated clients name their methods after it) without each module
 * spelling it out:
 *
 * - `GET /v1/webhook_endpoints` → `listWebhookEndpoints`
 * - `POST /v1/webhook_endpoints` → `createWebhookEndpoint`
 * - `GET`, `PATCH`, `DELETE /v1/webhook_endpoints/{id}` → `getWebhookEndpoint`,
 *   `updateWebhookEndpoint`, `deleteWebhookEndpoint`
 * - `POST /v1/withdrawals/{id}/approve` → `approveWithdrawal`
 * - `POST /v1/webhook_endpoints/{id}/rotate_secret` → `rotateWebhookEndpointSecret`
 * - `GET /v1/webhook_endpoints/{id}/messages` → `listWebhookEndpointMessages`
 * - `POST /v1/webhook_subscriptions/{id}/items/add` → `addWebhookSubscriptionItems`
 * - `GET /v1/wallet/history` → `getWalletHistory`
 *
 * A route whose verb is not in its path (`POST /v1/users/{id}/role`) names itself with
 * `operationId` in its definition instead.
 */
export function deriveOperationId(method: string, path: string): string {
  const segments = path.split('/').filter(Boolean);
  if (segments[0] && /^v\d+$/.test(segments[0])) segments.shift();
  const last = segments.at(-1);
  if (last === undefined) throw new Error(`cannot name the operation ${method} ${path}`);
  // A collection followed by an id names one member: /users/{id} is about a user.
  const nouns = segments.flatMap((s, i) =>
    isParam(s) ? [] : [isParam(segments[i + 1]) ? singular(s) : s],
  );
  const m = method.toLowerCase();
  let verb: string;
  if (isParam(last)) {
    verb = ITEM_VERBS[m] ?? m;
  } else if (m === 'post' && segments.slice(0, -1).some(isParam)) {
    // An action on an item: the last segment is the verb (approve, rotate_secret, add).
    verb = nouns.pop() ?? m;
  } else if (m === 'post') {
    verb = 'create';
    nouns.push(singular(nouns.pop() ?? ''));
  } else if (m === 'get') {
    verb = isPlural(last) ? 'list' : 'get';
  } else {
    verb = ITEM_VERBS[m] ?? m;
  }
  const [head = m, ...tail] = verb.split('_');
  return camelCase([head, ...nouns.flatMap((n) => n.split('_')), ...tail]);
}

const ITEM_VERBS: Record<string, string> = {
  get: 'get',
  post: 'update',
  put: 'replace',
  patch: 'update',
  delete: 'delete',
};

function isParam(segment: string | undefined): boolean {
  return segment?.startsWith('{') ?? false;
}

function isPlural(word: string): boolean {
  return /s$/.test(word) && !/(ss|us)$/.test(word);
}

/** Enough English for resource names: addresses, entries, messages, api_keys. */
function singular(word: string): string {
  if (!isPlural(word)) return word;
  if (/ies$/.test(word)) return `${word.slice(0, -3)}y`;
  if (/(ss|x|ch|sh)es$/.test(word)) return word.slice(0, -2);
  return word.slice(0, -1);
}

function camelCase(words: readonly string[]): string {
  return words
    .filter((w) => w.length > 0)
    .map((w, i) =>
      i === 0 ? w.toLowerCase() : w.charAt(0).toUpperCase() + w.slice(1).toLowerCase(),
    )
    .join('');
}
