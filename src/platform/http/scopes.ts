/**
 * The scopes an API key can hold. Each module declares its own in its descriptor
 * (`scopes` in `src/<module>/module.ts`) and the composition registers them, so a key can
 * only be given a scope some route checks. `<resource>:write` implies `<resource>:read` (see `hasScope` in
 * src/platform/http/access.ts); `*` is every scope.
 */
export interface ScopeRegistry {
  /** Adds scopes with a one-line description each; a name registered twice throws. */
  register(scopes: Readonly<Record<string, string>>): void;
  /** The given scopes that are not registered (and are not `*`). */
  unknown(scopes: readonly string[]): string[];
  /** Every registered scope and its description, sorted by name. */
  list(): { scope: string; description: string }[];
}

export const WILDCARD_SCOPE = '*';

const SCOPE_NAME = /^[a-z][a-z0-9_]*:(read|write)$/;

export function createScopeRegistry(...initial: Readonly<Record<string, string>>[]): ScopeRegistry {
  const scopes = new Map<string, string>();
  const registry: ScopeRegistry = {
    register(more) {
      for (const [scope, description] of Object.entries(more)) {
        if (!SCOPE_NAME.test(scope)) {
          throw new Error(`scope "${scope}" must look like resource:read or resource:write`);
        }
        if (scopes.has(scope)) throw new Error(`scope "${scope}" is registered twice`);
        scopes.set(scope, description);
      }
    },
    unknown(list) {
      return list.filter((s) => s !== WILDCARD_SCOPE && !scopes.has(s));
    },
    list() {
      return [...scopes.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([scope, description]) => ({ scope, description }));
    },
  };
  for (const s of initial) registry.register(s);
  return registry;
}
