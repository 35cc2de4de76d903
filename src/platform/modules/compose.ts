import {
  mergeSettings,
  PLATFORM_ROLES,
  platformSettings,
  type SettingsTable,
} from '../config/config.js';
import { createEventCatalog, type EventCatalog, type EventRegistry } from '../events/registry.js';
import type { Authenticate, HttpApp } from '../http/app.js';
import type { MaintenanceTask } from '../roles/maintenance.js';
import type { AnyModule, ModuleRole, PlatformServices, Stoppable } from './descriptor.js';

/**
 * The composition of the modules the root lists: their order, roles, settings, scopes,
 * events and migration folders, checked once. Nothing here names a module.
 */
export interface Composition<M extends readonly AnyModule[]> {
  /** The modules in build order: each after the modules it depends on. */
  readonly modules: M;
  /** Every role: the platform's (`api`, `worker`, `scheduler`), then the modules'. */
  readonly roles: readonly string[];
  /** The platform's settings and every module's, in one table by YAML key. */
  readonly settings: SettingsTable;
  /** Every module's event registry. */
  readonly eventRegistries: readonly EventRegistry[];
  /** Who owns a migrations folder (`migrations/<owner>/`), in the order they are applied. */
  readonly migrationOwners: readonly string[];
}

/** The owner of the platform's own migrations (`migrations/platform/`). */
export const PLATFORM_OWNER = 'platform';

const NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Checks and orders `modules`: unique names, known dependencies, no cycle, no role or
 * setting declared twice. The listed order is kept where dependencies allow it.
 */
export function composeModules<const M extends readonly AnyModule[]>(modules: M): Composition<M> {
  const byName = new Map<string, AnyModule>();
  for (const m of modules) {
    if (!NAME.test(m.name) || m.name === PLATFORM_OWNER) {
      throw new Error(`module name "${m.name}" must be lower-case words and not "platform"`);
    }
    if (byName.has(m.name)) throw new Error(`module ${m.name} is listed twice`);
    byName.set(m.name, m);
  }
  const ordered: AnyModule[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (m: AnyModule, path: readonly string[]) => {
    if (state.get(m.name) === 'done') return;
    if (state.get(m.name) === 'visiting') {
      throw new Error(`modules depend on each other in a cycle: ${[...path, m.name].join(' → ')}`);
    }
    state.set(m.name, 'visiting');
    for (const dep of m.dependsOn) {
      const d = byName.get(dep);
      if (!d) throw new Error(`module ${m.name} depends on ${dep}, which is not listed`);
      visit(d, [...path, m.name]);
    }
    state.set(m.name, 'done');
    ordered.push(m);
  };
  for (const m of modules) visit(m, []);

  const roles: string[] = [...PLATFORM_ROLES];
  for (const m of ordered) {
    for (const r of m.roles ?? []) {
      if (roles.includes(r.name)) throw new Error(`role ${r.name} of ${m.name} is declared twice`);
      roles.push(r.name);
    }
  }
  const settings = mergeSettings([
    { owner: PLATFORM_OWNER, table: platformSettings(roles) },
    ...ordered.map((m) => ({ owner: `module ${m.name}`, table: m.settings })),
  ]);
  return {
    modules: ordered as unknown as M,
    roles,
    settings,
    eventRegistries: ordered.flatMap((m) => (m.events ? [m.events] : [])),
    migrationOwners: [PLATFORM_OWNER, ...ordered.map((m) => m.name)],
  };
}

/** The catalogue of every module's events (the outbox, webhooks and the docs read it). */
export function eventCatalogOf(composition: Composition<readonly AnyModule[]>): EventCatalog {
  return createEventCatalog(composition.eventRegistries);
}

/**
 * Builds every module in order, each with its settings and the services it depends on.
 * `config` is the whole parsed configuration (each module reads its own keys).
 */
export async function buildModules(
  composition: Composition<readonly AnyModule[]>,
  platform: PlatformServices,
  config: Readonly<Record<string, unknown>>,
): Promise<Record<string, unknown>> {
  for (const m of composition.modules) if (m.scopes) platform.scopes.register(m.scopes);
  const services: Record<string, unknown> = {};
  for (const m of composition.modules) {
    const deps = Object.fromEntries(m.dependsOn.map((d) => [d, services[d]]));
    services[m.name] = await m.build({ platform, settings: config, deps });
  }
  return services;
}

/** The context each hook of a module gets. */
function contextOf(
  m: AnyModule,
  services: Readonly<Record<string, unknown>>,
  platform: PlatformServices,
  config: Readonly<Record<string, unknown>>,
) {
  const deps = Object.fromEntries(m.dependsOn.map((d) => [d, services[d]]));
  return { service: services[m.name], platform, settings: config, deps };
}

/** Registers every module's routes, in module order. */
export function registerModuleRoutes(
  composition: Composition<readonly AnyModule[]>,
  http: HttpApp,
  services: Readonly<Record<string, unknown>>,
  platform: PlatformServices,
  config: Readonly<Record<string, unknown>>,
): void {
  for (const m of composition.modules) m.routes?.(http, contextOf(m, services, platform, config));
}

/**
 * The token resolvers modules add (`authenticate`), tried in module order after
 * `first` (the platform's own sessions and API keys).
 */
export function moduleAuthenticator(
  composition: Composition<readonly AnyModule[]>,
  first: Authenticate,
  services: Readonly<Record<string, unknown>>,
  platform: PlatformServices,
  config: Readonly<Record<string, unknown>>,
): Authenticate {
  const resolvers = composition.modules.flatMap((m) =>
    m.authenticate ? [m.authenticate(contextOf(m, services, platform, config))] : [],
  );
  return async (token) => {
    const principal = await first(token);
    if (principal) return principal;
    for (const resolve of resolvers) {
      const found = await resolve(token);
      if (found) return found;
    }
    return undefined;
  };
}

/** Every module's maintenance tasks, for the scheduler. */
export function moduleMaintenanceTasks(
  composition: Composition<readonly AnyModule[]>,
  services: Readonly<Record<string, unknown>>,
  platform: PlatformServices,
  config: Readonly<Record<string, unknown>>,
): MaintenanceTask[] {
  return composition.modules.flatMap((m) => [
    ...(m.maintenance?.(contextOf(m, services, platform, config)) ?? []),
  ]);
}

/** Runs every module's `onStart`, in module order. */
export async function runModuleStarts(
  composition: Composition<readonly AnyModule[]>,
  services: Readonly<Record<string, unknown>>,
  platform: PlatformServices,
  config: Readonly<Record<string, unknown>>,
): Promise<void> {
  for (const m of composition.modules) await m.onStart?.(contextOf(m, services, platform, config));
}

/**
 * Starts the module roles named in `roles`, in module order, registering each one's stop
 * with the lifecycle (so they stop in reverse).
 */
export async function startModuleRoles(
  composition: Composition<readonly AnyModule[]>,
  roles: readonly string[],
  services: Readonly<Record<string, unknown>>,
  platform: PlatformServices,
  config: Readonly<Record<string, unknown>>,
): Promise<void> {
  for (const m of composition.modules) {
    for (const role of (m.roles ?? []) as readonly ModuleRole<unknown>[]) {
      if (!roles.includes(role.name)) continue;
      const running: Stoppable = await role.start(contextOf(m, services, platform, config));
      platform.lifecycle.onStop(`${m.name}:${role.name}`, () => running.stop());
    }
  }
}
