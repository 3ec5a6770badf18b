/**
 * One table of the API's routes: each route is declared once with its
 * zod schemas (path parameters, query, body, response), registered on
 * fastify from that declaration, and documented from it (openapi.ts), so
 * the OpenAPI document lists exactly the routes that exist and validates
 * requests with the schemas that parse them. Path parameters, query and
 * body are parsed with their schema before the handler runs (400 naming
 * the parameter or key path otherwise).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { schemaIssueError } from '@warewulf/core/node-schema';

export type Method = 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'POST';

export type Tag = 'nodes' | 'profiles' | 'images' | 'overlays' | 'builds' | 'events' | 'dashboard' | 'docs';

export interface RouteDoc<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  method: Method;
  /** Below `/api`, fastify's syntax (`/nodes/:id`). */
  url: string;
  /** OpenAPI operationId. */
  id: string;
  summary: string;
  tag: Tag;
  /** A z.object of the path parameters (strings). */
  params?: P;
  /** A z.object of the query parameters (strings). */
  query?: Q;
  /** The JSON body and its component name. */
  body?: { name: string; schema: B };
  /** The 200 response: a JSON body and its component name, or another media type. */
  response: { name: string; schema: z.ZodType } | { mediaType: string; description: string };
  /** Statuses besides 200 and the access ones (401, 403) this route answers. */
  errors: readonly number[];
  /** Responses carry an ETag (the entry's revision). */
  etag?: boolean;
  /** Takes If-Match (412 when stale). */
  ifMatch?: boolean;
  /** Takes `If-None-Match: *` (400 when the target exists). */
  ifNoneMatch?: boolean;
}

export interface RouteInput<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
  req: FastifyRequest;
  reply: FastifyReply;
}

/** Parse one request part; a failure is a 400 naming the part and key. */
export function parsePart<S extends z.ZodType>(schema: S | undefined, value: unknown, prefix: readonly string[]): z.output<S> {
  if (schema === undefined) return undefined as z.output<S>;
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw schemaIssueError(r.error, prefix);
  return r.data;
}

/** The declared routes of the API, registered on an app scope as they are added. */
export class RouteTable {
  readonly routes: RouteDoc[] = [];

  constructor(private readonly app: FastifyInstance) {}

  add<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(doc: RouteDoc<P, Q, B>, handler: (i: RouteInput<P, Q, B>) => Promise<unknown>): void {
    this.routes.push(doc as unknown as RouteDoc);
    const urls = doc.url.endsWith('/') && doc.url.length > 1 ? [doc.url, doc.url.slice(0, -1)] : [doc.url];
    for (const url of urls) {
      this.app.route({
        method: doc.method,
        url,
        handler: async (req, reply) => {
          const params = parsePart(doc.params, req.params, ['path']);
          const query = parsePart(doc.query, req.query, ['query']);
          const body = parsePart(doc.body?.schema, req.body, []);
          return handler({ params, query, body, req, reply });
        },
      });
    }
  }
}

/** A query flag: absent is `dflt`; present without a value (`?force`) is true; else true/false, 1/0, yes/no. */
export function queryBool(dflt: boolean) {
  return z
    .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
    .optional()
    .transform((v) => (v === undefined ? dflt : v === '' || v === 'true' || v === '1' || v === 'yes'));
}
