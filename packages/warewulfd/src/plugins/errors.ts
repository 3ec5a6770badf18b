/**
 * One table from error code to HTTP status (fastify's pattern): handlers
 * throw WwErrors and never pick statuses themselves. Bodies are short plain
 * text; a 4xx names what was wrong with the request, while 404/5xx bodies
 * say only the status so no server path leaks (the log has the details).
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import { isWwError, type WwErrorCode } from '@warewulf/core';

export const HTTP_STATUS: Readonly<Partial<Record<WwErrorCode, number>>> = Object.freeze({
  WW_ERR_BAD_REQUEST: 400,
  WW_ERR_DENIED: 401,
  WW_ERR_FORBIDDEN: 403,
  WW_ERR_NOT_FOUND: 404,
  WW_ERR_TEMPLATE: 500,
  WW_ERR_BUSY: 503,
  // nodes.conf unreadable or locked while discovering: the node may retry (§4.4 step 4)
  WW_ERR_NODES_PARSE: 503,
  WW_ERR_NODES_INVALID: 503,
  WW_ERR_NODES_LOCK: 503,
});

/** The HTTP status of any error a handler throws. */
export function statusOf(err: unknown): number {
  if (isWwError(err)) return HTTP_STATUS[err.code] ?? 500;
  const s = (err as FastifyError).statusCode;
  return typeof s === 'number' && s >= 400 && s < 600 ? s : 500;
}

/** Error handler and Go's `404 page not found` for unknown paths. */
export function errorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    const status = statusOf(err);
    const msg = (err as Error).message;
    if (status >= 500) req.log.error({ err, url: req.url }, msg);
    else req.log.info({ url: req.url, status }, msg);
    if (reply.sent || reply.raw.headersSent) return;
    const body = status === 404 || status >= 500 ? (STATUS_CODES[status] ?? 'error') : msg;
    reply.code(status).type('text/plain; charset=utf-8').send(`${body}\n`);
  });
  app.setNotFoundHandler((_req, reply) => {
    reply.code(404).type('text/plain; charset=utf-8').send('404 page not found\n');
  });
}
