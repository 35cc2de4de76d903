import type { HttpApp } from '../platform/http/app.js';
import { registerAlertRoutes } from './routes/alerts.js';
import { registerChainRoutes } from './routes/chains.js';
import { registerChannelRoutes } from './routes/channels.js';
import { registerMonitorRoutes } from './routes/monitors.js';
import { registerNodeRoutes } from './routes/nodes.js';
import type { NodeopsService } from './service.js';

/** Registers /v1/nodeops routes, one file per resource in routes/. */
export function registerNodeopsRoutes(app: HttpApp, deps: { nodeops: NodeopsService }): void {
  registerChainRoutes(app, deps.nodeops);
  registerNodeRoutes(app, deps.nodeops);
  registerAlertRoutes(app, deps.nodeops);
  registerChannelRoutes(app, deps.nodeops);
  registerMonitorRoutes(app, deps.nodeops);
}
