/**
 * The REST API (§4.10) and the dashboard, as one plugin of the app: every
 * route below `/api` and the page at `/` pass the access guard (access.ts);
 * errors answer as JSON `{"error": {code, status, message, field?}}` with
 * the status of core's one table; the OpenAPI document is generated from
 * the same route table that registers the routes.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import { EntityBodyError, toWwError } from '@warewulf/core';
import type { DaemonEnv } from '../env.js';
import { loggableUrl, statusOf } from '../plugins/errors.js';
import { apiGuard, BASIC_CHALLENGE } from './access.js';
import { buildRoutes } from './builds.js';
import { dashboardFiles, dashboardRoutes } from './dashboard.js';
import { entityRoutes } from './entities.js';
import { imageRoutes } from './images.js';
import { openApiDocument } from './openapi.js';
import { overlayRoutes } from './overlays.js';
import { RouteTable } from './route.js';
import { OpenApiDoc } from './schemas.js';
import { apiState } from './state.js';

/** The API's version in the OpenAPI document. */
export const API_VERSION = '1.0.0';

/** JSON errors for a scope; a 401 carries the Basic challenge. */
function jsonErrors(scope: FastifyInstance): void {
  scope.setErrorHandler((err: FastifyError, req, reply) => {
    const status = statusOf(err);
    const w = toWwError(err);
    if (status >= 500) req.log.error({ err, url: loggableUrl(req.url) }, err.message);
    else req.log.info({ url: loggableUrl(req.url), status }, err.message);
    if (reply.sent || reply.raw.headersSent) return;
    // our errors name what went wrong; anything else that fails is not described to the client
    const message = w !== undefined || status < 500 ? err.message : (STATUS_CODES[status] ?? 'error');
    const field = err instanceof EntityBodyError && err.field !== undefined ? { field: err.field } : {};
    if (status === 401) reply.header('WWW-Authenticate', BASIC_CHALLENGE);
    void reply.code(status).type('application/json; charset=utf-8').send({ error: { code: w?.code ?? err.code ?? 'WW_ERR_INTERNAL', status, message, ...field } });
  });
}

/** JSON 404 for paths below /api that are no route. */
function jsonNotFound(scope: FastifyInstance): void {
  scope.setNotFoundHandler((req, reply) => {
    void reply.code(404).type('application/json; charset=utf-8').send({
      error: { code: 'WW_ERR_NOT_FOUND', status: 404, message: `no such API endpoint: ${req.method} ${req.url.split('?')[0]}` },
    });
  });
}

/** Register `/api/*` and the dashboard on an app of the daemon. */
export function apiPlugin(app: FastifyInstance, env: DaemonEnv): void {
  const state = apiState(env);
  const guard = apiGuard(env, state.auth);
  app.register(
    async (api) => {
      api.addHook('onRequest', guard);
      jsonErrors(api);
      jsonNotFound(api);
      const t = new RouteTable(api);
      entityRoutes(t, env, state, 'node');
      entityRoutes(t, env, state, 'profile');
      buildRoutes(t, env);
      imageRoutes(t, env);
      overlayRoutes(t, env);
      dashboardRoutes(t, env);
      t.add(
        {
          method: 'GET', url: '/events', id: 'events', tag: 'events', errors: [],
          summary: 'Server-Sent Events: `hello`, `status` (a node\'s status entry), `revision` (changed node rows after nodes.conf changed)',
          response: { mediaType: 'text/event-stream', description: 'an event stream that stays open' },
        },
        async ({ req, reply }) => state.events.subscribe(app, req, reply),
      );
      let doc: Record<string, unknown> | undefined;
      t.add(
        { method: 'GET', url: '/docs', id: 'openapi', tag: 'docs', errors: [], summary: 'This OpenAPI 3.1 document', response: { name: 'OpenApiDocument', schema: OpenApiDoc } },
        async () => (doc ??= openApiDocument(t.routes, API_VERSION)),
      );
    },
    { prefix: '/api' },
  );
  app.register(async (ui) => {
    ui.addHook('onRequest', guard);
    jsonErrors(ui);
    dashboardFiles(ui);
  });
  app.addHook('preClose', (done) => {
    state.events.closeApp(app);
    done();
  });
}
