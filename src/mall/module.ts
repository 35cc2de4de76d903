import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { setting } from '../platform/config/config.js';
import { defineModule } from '../platform/modules/descriptor.js';
import { loadWebAssets, type WebAsset } from '../webapp/assets.js';
import { createPresenceHub } from './presence.js';
import { registerMallRoutes } from './routes.js';

/** Where `npm run build` puts the mall: `dist/mall/`, from `src/mall` as from `dist/mall`. */
const BUILT_DIR = fileURLToPath(new URL('../../dist/mall/', import.meta.url));

export const MALL_SETTINGS = {
  mallDir: setting<string | undefined>({
    env: 'VW_MALL_DIR',
    kind: 'string',
    schema: z.string().min(1).optional(),
    default: undefined,
    doc: 'Folder of the built 3D mall the `api` role serves at `/mall` (its `index.html` and `assets/`). Unset: `dist/mall` of this installation, which `npm run build` writes.',
  }),
  mallMaxVisitors: setting<number>({
    env: 'VW_MALL_MAX_VISITORS',
    kind: 'int',
    schema: z.number().int().min(1).max(10_000),
    default: 200,
    doc: 'Visitors one API process shows walking in the mall at once (presence streams); one more is refused with 503 `mall_full` and still shops, alone.',
  }),
  mallPresencePerVisitorPerSecond: setting<number>({
    env: 'VW_MALL_PRESENCE_PER_VISITOR_PER_SECOND',
    kind: 'int',
    schema: z.number().int().min(1).max(60),
    default: 5,
    doc: 'Position updates one visitor may send a second (the mall sends at most 4); more are refused with 429.',
  }),
  mallPresenceTotalPerSecond: setting<number>({
    env: 'VW_MALL_PRESENCE_TOTAL_PER_SECOND',
    kind: 'int',
    schema: z.number().int().min(1).max(100_000),
    default: 400,
    doc: 'Position updates all visitors together may send a second to one API process; more are refused with 429.',
  }),
} as const;

/** How often presence frames go out: at most 4 a second per stream. */
export const PRESENCE_TICK_MS = 250;

/**
 * The 3D mall at `/mall` (a static client built by Vite, on the commerce API) and the
 * presence of its visitors: who else walks there, positions only.
 */
export const mallModule = defineModule()({
  name: 'mall',
  dependsOn: [],
  settings: MALL_SETTINGS,
  build: ({ settings, platform }) => {
    const dir = settings.mallDir ?? BUILT_DIR;
    let assets: Map<string, WebAsset> | undefined;
    return {
      dir,
      // Read on first use, so a build made after the server started is served.
      assets: () => (assets ??= loadWebAssets(dir)),
      presence: createPresenceHub(
        {
          maxVisitors: settings.mallMaxVisitors,
          perVisitorPerSecond: settings.mallPresencePerVisitorPerSecond,
          totalPerSecond: settings.mallPresenceTotalPerSecond,
        },
        () => Date.now(),
      ),
      stopping: () => platform.lifecycle.stopping,
    };
  },
  routes: (http, { service }) => {
    registerMallRoutes(http, { ...service, tickMs: PRESENCE_TICK_MS });
  },
});
