/**
 * Handlers throw WwErrors and never pick statuses themselves: the status
 * comes from core's one table of codes (ERROR_STATUS, fastify's pattern). Bodies are short plain
 * text; a 4xx names what was wrong with the request, while 404/5xx bodies
 * say only the status so no server path leaks (the log has the details).
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import { toWwError } from '@warewulf/core';

/** The HTTP status of any error a handler throws: core's one table (ERROR_STATUS), then fastify's own errors. */
export function statusOf(err: unknown): number {
  const w = toWwError(err);
  if (w) return w.status;
  const s = (err as FastifyError).statusCode;
  return typeof s === 'number' && s >= 400 && s < 600 ? s : 500;
}

/**
 * A request URL as it may be logged: the asset key's value (a node's
 * secret, §4.4) replaced by `REDACTED`, the rest as received.
 */
export function loggableUrl(url: string): string {
  return url.replace(/([?&]assetkey=)[^&#]*/gi, '$1REDACTED');
}

/** Error handler and Go's `404 page not found` for unknown paths. */
export function errorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    const status = statusOf(err);
    const msg = (err as Error).message;
    if (status >= 500) req.log.error({ err, url: loggableUrl(req.url) }, msg);
    else req.log.info({ url: loggableUrl(req.url), status }, msg);
    if (reply.sent || reply.raw.headersSent) return;
    const body = status === 404 || status >= 500 ? (STATUS_CODES[status] ?? 'error') : msg;
    reply.code(status).type('text/plain; charset=utf-8').send(`${body}\n`);
  });
  app.setNotFoundHandler((_req, reply) => {
    reply.code(404).type('text/plain; charset=utf-8').send('404 page not found\n');
  });
}
