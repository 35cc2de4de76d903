import type { Mailer } from '../mail/mailer.js';
import type { Notifications } from '../notifications/notifications.js';
import type { Command } from 'commander';
import type { AuditLog } from '../audit/audit.js';
import type { ConfigOf, PlatformConfig, SettingsTable } from '../config/config.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/db.js';
import type { EventCatalog, EventRegistry } from '../events/registry.js';
import type { Authenticate, HttpApp } from '../http/app.js';
import type { RateLimiter } from '../http/rate-limit.js';
import type { ScopeRegistry } from '../http/scopes.js';
import type { LeaseManager } from '../leases/leases.js';
import type { Lifecycle } from '../lifecycle.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Outbox } from '../outbox/outbox.js';
import type { JobQueue } from '../queue/queue.js';
import type { MaintenanceTask } from '../roles/maintenance.js';

/**
 * A module, as the platform sees it: data and factories, nothing imported by the platform.
 * Each module exports one descriptor from `src/<module>/module.ts`; the root lists them
 * once (`src/modules.ts`) and the composition (`compose.ts`) orders them by their
 * dependencies, merges their settings, scopes, events and roles, and builds them.
 *
 * @example
 * export const notesModule = defineModule<{ ledger: LedgerService }>()({
 *   name: 'notes',
 *   dependsOn: ['ledger'],
 *   settings: NOTES_SETTINGS,
 *   scopes: { 'notes:read': 'Read notes', 'notes:write': 'Write notes' },
 *   events: NOTES_EVENT_REGISTRY,
 *   build: ({ platform, settings, deps }) =>
 *     createNotesService({ db: platform.db, outbox: platform.outbox, ledger: deps.ledger, settings }),
 *   routes: (http, { service }) => registerNotesRoutes(http, { notes: service }),
 * });
 */
export interface ModuleDescriptor<
  Name extends string = string,
  Settings extends SettingsTable = SettingsTable,
  Service = unknown,
  Deps extends object = object,
> {
  /**
   * Unique, lower-case. The key of the service on `Vaultwire` (`vw.wallet`), of its CLI
   * group's owner and of its migrations folder (`migrations/<name>/`).
   */
  readonly name: Name;
  /** Modules whose services `build` receives as `deps`, by name. They are built first. */
  readonly dependsOn: readonly NoInfer<keyof Deps & string>[];
  /**
   * Its settings by YAML key: environment variable, schema, default (written once, here)
   * and the docs text. Keys and variables are unique across the platform and all modules.
   */
  readonly settings: Settings;
  /** Scopes its routes check, with a one-line description each. */
  readonly scopes?: Readonly<Record<string, string>>;
  /** The events it publishes; the outbox refuses a type no module registered. */
  readonly events?: EventRegistry;
  /** Roles it adds (`follower`, `delivery`): a process runs them when `VW_ROLES` names them. */
  readonly roles?: readonly ModuleRole<Service, ConfigOf<Settings>>[];
  /** Makes the service. Runs once per process, in dependency order, before any role starts. */
  build(ctx: BuildContext<Settings, Deps>): Service | Promise<Service>;
  /** Registers its HTTP routes (the `api` role serves them). */
  routes?(http: HttpApp, ctx: ModuleContext<Service, Settings, Deps>): void;
  /** Periodic pruning the `scheduler` runs in its maintenance pass. */
  maintenance?(ctx: ModuleContext<Service, Settings, Deps>): readonly MaintenanceTask[];
  /** Work at `start()`, before any role (seeding demo data, for instance). */
  onStart?(ctx: ModuleContext<Service, Settings, Deps>): Promise<void>;
  /** Adds its `vaultwire` subcommands. */
  cli?(cli: ModuleCli<Service, Settings, Deps>): void;
  /**
   * Resolves bearer tokens of its own kind (a merchant's API keys), tried after the
   * platform's own tokens; `undefined` means "not mine or not valid".
   */
  authenticate?(ctx: ModuleContext<Service, Settings, Deps>): Authenticate;
}

/**
 * Any descriptor, whatever its types (the list the root composes).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a heterogeneous list of descriptors
export type AnyModule = ModuleDescriptor<string, SettingsTable, any, any>;

/** What every module may use: the platform's own services, built before any module. */
export interface PlatformServices {
  /** The platform's settings (a module reads its own through `settings`). */
  readonly config: PlatformConfig;
  readonly logger: Logger;
  readonly db: Db;
  /** Email out (`noMailer` when no SMTP server is configured). */
  readonly mailer: Mailer;
  /** Notices to users: listed at GET /v1/notifications, emailed when SMTP is set. */
  readonly notifications: Notifications;
  readonly metrics: Metrics;
  readonly secretBox: SecretBox;
  /** Register a stop step here; steps run in reverse order of registration. */
  readonly lifecycle: Lifecycle;
  readonly audit: AuditLog;
  readonly jobs: JobQueue;
  readonly outbox: Outbox;
  readonly leases: LeaseManager;
  /** Every module's scopes, registered before any module is built. */
  readonly scopes: ScopeRegistry;
  /** Every module's events, combined. */
  readonly events: EventCatalog;
  readonly rateLimiter: RateLimiter;
  /** Wall clock in ms (tests move it). */
  readonly now: () => number;
  /** The running version (user agents). */
  readonly version: string;
}

export interface BuildContext<Settings extends SettingsTable, Deps extends object> {
  readonly platform: PlatformServices;
  /** This module's settings, parsed and validated. */
  readonly settings: ConfigOf<Settings>;
  /** The services of the modules named in `dependsOn`. */
  readonly deps: Deps;
}

export interface ModuleContext<Service, Settings extends SettingsTable, Deps = object> {
  readonly service: Service;
  readonly platform: PlatformServices;
  readonly settings: ConfigOf<Settings>;
  /** The services of the modules named in `dependsOn`. */
  readonly deps: Deps;
}

export interface Stoppable {
  stop(): Promise<void>;
}

/** A role a module adds: what a process named with it in `VW_ROLES` runs. */
export interface ModuleRole<Service, Settings = unknown> {
  readonly name: string;
  /** One line for `--help` and the docs. */
  readonly description: string;
  start(ctx: {
    service: Service;
    platform: PlatformServices;
    settings: Settings;
  }): Stoppable | Promise<Stoppable>;
}

export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

/** Who runs a CLI command, as the audit log records it (`cli:<os user>`). */
export interface CliActor {
  type: 'system';
  id: string;
}

/** What a module's `cli` gets to add its subcommands. */
export interface ModuleCli<Service, Settings extends SettingsTable, Deps = object> {
  /** The `vaultwire` program: add commands with `program.command(…)`. */
  readonly program: Command;
  /** Where a command prints (the terminal, or the client of a forwarded command). */
  readonly output: CliOutput;
  /**
   * Runs `fn` on this module's service (a platform built for the command, or the running
   * server's when the embedded database is in use) and exits with the code it returns.
   */
  run(
    fn: (ctx: ModuleContext<Service, Settings, Deps> & { actor: CliActor }) => Promise<number>,
  ): Promise<void>;
  /** Standard input as text (for secrets given with `--password-stdin`). */
  readStdin(): Promise<string>;
}

/**
 * Declares a module. The services it depends on are given explicitly, the rest is inferred:
 * `defineModule<{ ledger: LedgerService }>()({ name: 'wallet', dependsOn: ['ledger'], … })`.
 */
export function defineModule<Deps extends object = object>() {
  return <Name extends string, Settings extends SettingsTable, Service>(
    descriptor: ModuleDescriptor<Name, Settings, Service, Deps>,
  ) => descriptor;
}

/** The service a descriptor builds. */
export type ServiceOf<M> =
  M extends ModuleDescriptor<string, SettingsTable, infer S, infer _D> ? S : never;

/** The services of a list of modules, by module name (`{ wallet: WalletService, … }`). */
export type ServicesOf<M extends readonly AnyModule[]> = {
  [D in M[number] as D['name']]: ServiceOf<D>;
};

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (
  x: infer I,
) => void
  ? I
  : never;

/** Every module's settings, flat, as the composed configuration holds them. */
export type SettingsOf<M extends readonly AnyModule[]> = UnionToIntersection<
  { [I in keyof M]: ConfigOf<M[I]['settings']> }[number]
>;
