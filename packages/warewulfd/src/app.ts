/**
 * The app factory (no listen): routes and plugins on a fastify instance,
 * built from a DaemonEnv so that an HTTP and an HTTPS listener share one
 * node registry, status table, stream bound and metrics. Tests use
 * `inject()` on it; main.ts listens.
 */
import fastify, { LogController, type FastifyInstance } from 'fastify';
import { apiPlugin } from './api/index.js';
import type { DaemonEnv } from './env.js';
import { errorHandling } from './plugins/errors.js';
import { metricsRoutes } from './plugins/metrics.js';
import { statusRoutes } from './plugins/status.js';
import { filesRoutes } from './routes/files.js';
import { provisionRoutes } from './routes/provision.js';

export interface BuildAppOptions {
  /** TLS key and certificate (PEM): an HTTPS app. */
  https?: { key: Buffer; cert: Buffer };
}

/**
 * The fastify app of one listener: every provisioning route (§4.2), /files
 * (§4.9), /status (§4.7), /metrics, and the REST API with the dashboard
 * (§4.10, when `api.enabled`), one error table. Not listening; call
 * `listen()` or `inject()`. Errors inside handlers become statuses through
 * plugins/errors.ts; nothing here throws after construction.
 */
export function buildApp(env: DaemonEnv, opts: BuildAppOptions = {}): FastifyInstance {
  const app = fastify({
    loggerInstance: env.log,
    // our own request lines (§4.8) instead of fastify's two per request
    logController: new LogController({ disableRequestLogging: true }),
    // one logger for all requests: no child logger per request on the hot path
    childLoggerFactory: (logger) => logger,
    routerOptions: { ignoreDuplicateSlashes: true },
    // big images over slow links: no overall request timeout, but idle keep-alive sockets go
    keepAliveTimeout: 30_000,
    ...(opts.https ? { https: opts.https } : {}),
  }) as unknown as FastifyInstance;
  errorHandling(app);
  app.addHook('onResponse', (req, reply, done) => {
    env.metrics.requests.inc({ stage: req.wwStage || 'none', code: String(reply.statusCode) });
    done();
  });
  provisionRoutes(app, env);
  filesRoutes(app, env);
  statusRoutes(app, env.status);
  metricsRoutes(app, env.metrics);
  apiPlugin(app, env);
  return app;
}
