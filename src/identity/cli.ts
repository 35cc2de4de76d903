import { isFailure } from '../platform/failure.js';
import { identityApiError, type IdentityFailure } from './errors.js';
import { apiKeyStatus, type Actor, type ApiKey } from './model.js';
import type { ScopeRegistry } from './scopes.js';
import { passwordProblem, type IdentityService } from './service.js';

/**
 * The identity commands of the `vaultwire` CLI, as functions that return an exit code
 * (0 done, 1 refused, 2 bad usage) so they can be tested without a process. The
 * commander wiring in src/bin/vaultwire.ts stays thin.
 */

export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

export interface IdentityCliDeps {
  identity: IdentityService;
  scopes: ScopeRegistry;
  output: CliOutput;
  /** Who runs the command, for the audit log (e.g. `cli:alice`). */
  actor: Actor;
  now?: () => number;
}

export const EXIT_OK = 0;
export const EXIT_REFUSED = 1;
export const EXIT_USAGE = 2;

function explain(f: IdentityFailure): string {
  return identityApiError(f.code).message;
}

/** `vaultwire admin create`: a new user with the admin role. */
export async function adminCreateCommand(
  deps: IdentityCliDeps,
  opts: { email: string; password: string | undefined; handle?: string | undefined },
): Promise<number> {
  const { output } = deps;
  if (opts.password === undefined || opts.password === '') {
    output.err(
      'No password given: pipe it with --password-stdin, or set VW_ADMIN_PASSWORD. It is never taken as an argument (arguments show up in ps and shell history).',
    );
    return EXIT_USAGE;
  }
  const problem = passwordProblem(opts.password, opts.email);
  if (problem) {
    output.err(problem);
    return EXIT_USAGE;
  }
  const result = await deps.identity.createAdmin(
    { email: opts.email, password: opts.password, handle: opts.handle },
    deps.actor,
  );
  if (isFailure(result)) {
    output.err(`Cannot create the admin: ${explain(result)}`);
    return EXIT_REFUSED;
  }
  output.out(`Created admin ${result.id} <${result.email}>. Log in with POST /v1/sessions.`);
  return EXIT_OK;
}

function parseScopes(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    ),
  ];
}

/** `vaultwire keys create`: prints the new key's secret once. */
export async function keysCreateCommand(
  deps: IdentityCliDeps,
  opts: { email: string; name: string; scopes: string; expiresAt?: string | undefined },
): Promise<number> {
  const { output } = deps;
  const scopes = parseScopes(opts.scopes);
  if (scopes.length === 0) {
    output.err('Name at least one scope with --scopes (for example profile:read,keys:read)');
    return EXIT_USAGE;
  }
  const unknown = deps.scopes.unknown(scopes);
  if (unknown.length > 0) {
    output.err(
      `Unknown scope: ${unknown.join(', ')}. Known scopes: *, ${deps.scopes
        .list()
        .map((s) => s.scope)
        .join(', ')}`,
    );
    return EXIT_USAGE;
  }
  let expiresAt: Date | undefined;
  if (opts.expiresAt !== undefined) {
    expiresAt = new Date(opts.expiresAt);
    if (Number.isNaN(expiresAt.getTime())) {
      output.err(`--expires-at: not a date: ${opts.expiresAt} (use ISO 8601, e.g. 2030-01-31)`);
      return EXIT_USAGE;
    }
  }
  const name = opts.name.trim();
  if (name.length === 0 || name.length > 100) {
    output.err('--name must be 1 to 100 characters');
    return EXIT_USAGE;
  }
  const owner = await deps.identity.findUserByEmail(opts.email);
  if (!owner) {
    output.err(`No user with the email ${opts.email}`);
    return EXIT_REFUSED;
  }
  const result = await deps.identity.createApiKey(
    { userId: owner.id, name, scopes, expiresAt },
    deps.actor,
  );
  if (isFailure(result)) {
    output.err(`Cannot create the key: ${explain(result)}`);
    return EXIT_REFUSED;
  }
  output.err(
    `Created ${result.apiKey.id} for ${owner.email} (${owner.role}), scopes ${scopes.join(',')}. ` +
      'The key is printed below once; it cannot be shown again.',
  );
  // The secret alone on stdout, so `KEY=$(vaultwire keys create …)` works.
  output.out(result.secret);
  return EXIT_OK;
}

/** `vaultwire keys list`: every key (or one user's), never the secrets. */
export async function keysListCommand(
  deps: IdentityCliDeps,
  opts: { email?: string | undefined; json?: boolean | undefined },
): Promise<number> {
  const { output } = deps;
  const now = deps.now ?? Date.now;
  let userId: string | undefined;
  if (opts.email !== undefined) {
    const owner = await deps.identity.findUserByEmail(opts.email);
    if (!owner) {
      output.err(`No user with the email ${opts.email}`);
      return EXIT_REFUSED;
    }
    userId = owner.id;
  }
  const keys: ApiKey[] = [];
  let cursor: string | undefined;
  for (;;) {
    // One more than a page: the extra row only says another page follows.
    const rows = await deps.identity.listApiKeys({ userId, limit: 101, startingAfter: cursor });
    const page = rows.slice(0, 100);
    keys.push(...page);
    if (rows.length <= 100) break;
    cursor = page[page.length - 1]?.id;
  }
  const t = now();
  if (opts.json) {
    output.out(
      JSON.stringify(
        keys.map((k) => ({
          id: k.id,
          user_id: k.userId,
          name: k.name,
          redacted_key: `vwk_…${k.last4}`,
          scopes: k.scopes,
          status: apiKeyStatus(k, t),
          created_at: k.createdAt.toISOString(),
          expires_at: k.expiresAt?.toISOString() ?? null,
          last_used_at: k.lastUsedAt?.toISOString() ?? null,
        })),
        null,
        2,
      ),
    );
    return EXIT_OK;
  }
  if (keys.length === 0) {
    output.out('No API keys.');
    return EXIT_OK;
  }
  const rows = keys.map((k) => [
    k.id,
    `vwk_…${k.last4}`,
    apiKeyStatus(k, t),
    k.userId,
    k.name,
    k.scopes.join(','),
    k.lastUsedAt?.toISOString() ?? 'never',
  ]);
  output.out(table(['ID', 'KEY', 'STATUS', 'OWNER', 'NAME', 'SCOPES', 'LAST USED'], rows));
  return EXIT_OK;
}

/** `vaultwire keys revoke <key_id>`. */
export async function keysRevokeCommand(deps: IdentityCliDeps, keyId: string): Promise<number> {
  const { output } = deps;
  const before = await deps.identity.getApiKey(keyId);
  const result = await deps.identity.revokeApiKey(keyId, deps.actor);
  if (isFailure(result)) {
    output.err(`Cannot revoke ${keyId}: ${explain(result)}`);
    return EXIT_REFUSED;
  }
  output.out(
    before?.revokedAt
      ? `${keyId} was already revoked (${before.revokedAt.toISOString()}).`
      : `Revoked ${keyId} (${result.name}); it stops working now.`,
  );
  return EXIT_OK;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
