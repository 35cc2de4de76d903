/**
 * The modules this build runs, listed once. Adding a module is a new folder with its
 * descriptor (`src/<module>/module.ts`) and one line here; the composition orders them by
 * their dependencies and gathers their settings, scopes, events, roles, routes,
 * maintenance tasks, CLI commands and migrations (`migrations/<module>/`).
 */
import { campaignsModule } from './campaigns/module.js';
import { chainsModule } from './chains/module.js';
import { commerceModule } from './commerce/module.js';
import { identityModule } from './identity/module.js';
import { ledgerModule } from './ledger/module.js';
import { mallModule } from './mall/module.js';
import { merchantsModule } from './merchants/module.js';
import { nodeopsModule } from './nodeops/module.js';
import {
  describeSettings,
  loadSettings,
  settingsTableMarkdown,
  type LoadConfigOptions,
  type PlatformConfig,
} from './platform/config/config.js';
import { composeModules } from './platform/modules/compose.js';
import type { SettingsOf } from './platform/modules/descriptor.js';
import { producerModule } from './producer/module.js';
import { walletModule } from './wallet/module.js';
import { webappModule } from './webapp/module.js';
import { webhooksModule } from './webhooks/module.js';

export const MODULES = composeModules([
  identityModule,
  ledgerModule,
  chainsModule,
  walletModule,
  webhooksModule,
  producerModule,
  merchantsModule,
  nodeopsModule,
  campaignsModule,
  commerceModule,
  webappModule,
  mallModule,
] as const);

/** Every role a process can run: the platform's, then those the modules declare. */
export const ROLES = MODULES.roles;

/** The whole configuration: the platform's settings and every module's, by YAML key. */
export type Config = PlatformConfig & SettingsOf<typeof MODULES.modules>;

/** Reads and validates the configuration (defaults, YAML file, environment). */
export function loadConfig(options: LoadConfigOptions<Config> = {}): Config {
  return loadSettings(MODULES.settings, options) as Config;
}

/** The configuration with secrets masked, for logs and `vaultwire config`. */
export function describeConfig(config: Config): Record<string, unknown> {
  return describeSettings(MODULES.settings, config);
}

/** The settings table of docs/configuration.md (`npm run docs:config`). */
export function configTableMarkdown(): string {
  return settingsTableMarkdown(MODULES.settings);
}
