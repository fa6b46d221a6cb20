/** The HTTP server: restify, with the routes the service exposes. Only bot/ knows restify. */
import restify from 'restify';
import type { Logger } from '../services/logging/logger.js';

export interface ServerDeps {
  logger: Logger;
  mode: 'demo' | 'production';
  storeKind: string;
  startedAt: Date;
}

export function createServer(deps: ServerDeps): restify.Server {
  const server = restify.createServer({ name: 'autopilot-approvals', handleUncaughtExceptions: false });
  server.use(restify.plugins.queryParser());
  server.get('/api/health', (_req, res, next) => {
    res.send(200, {
      status: 'ok',
      mode: deps.mode,
      store: deps.storeKind,
      uptimeSeconds: Math.round((Date.now() - deps.startedAt.getTime()) / 1000),
    });
    return next();
  });
  return server;
}

export function listen(server: restify.Server, port: number, host?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
