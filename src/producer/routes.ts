import type { HttpApp } from '../platform/http/app.js';
import { registerProducerChainRoutes } from './routes/chains.js';
import { registerMarkRoutes } from './routes/marks.js';
import { registerSignatureRoutes } from './routes/signatures.js';
import type { ProducerService } from './service.js';

export function registerProducerRoutes(app: HttpApp, deps: { producer: ProducerService }): void {
  registerSignatureRoutes(app, deps);
  registerProducerChainRoutes(app, deps);
  registerMarkRoutes(app, deps);
}
