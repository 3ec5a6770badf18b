/**
 * The dashboard (issue 13): one page at `/`, a hand-written ES module and a
 * style sheet shipped in packages/warewulfd/ui (no build step), served from
 * a fixed list (no path from the request reaches the file system), behind
 * the API's access rules. Its data: `GET /api/dashboard` (rows, status
 * table, images and overlays in use), then `/api/events`.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { DaemonEnv } from '../env.js';
import type { RouteTable } from './route.js';
import { inUse, nodeRows } from './rows.js';
import { Dashboard } from './schemas.js';

const UI_DIR = new URL('../../ui/', import.meta.url);

/** URL path -> file in ui/ and its media type. */
const FILES: Readonly<Record<string, [string, string]>> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/ui/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/ui/style.css': ['style.css', 'text/css; charset=utf-8'],
};

/** The page and its assets (register inside a scope guarded like /api). */
export function dashboardFiles(app: FastifyInstance): void {
  const cache = new Map<string, Promise<Buffer>>();
  for (const [url, [file, type]] of Object.entries(FILES)) {
    app.get(url, async (_req, reply) => {
      let body = cache.get(file);
      if (body === undefined) {
        body = readFile(new URL(file, UI_DIR));
        cache.set(file, body);
        body.catch(() => cache.delete(file));
      }
      reply
        .type(type)
        .header('cache-control', 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .header('x-frame-options', 'DENY')
        .header('content-security-policy', "default-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
      return body;
    });
  }
}

/** `GET /api/dashboard`: what the page starts from. */
export function dashboardRoutes(t: RouteTable, env: DaemonEnv): void {
  t.add(
    {
      method: 'GET', url: '/dashboard', id: 'getDashboard', tag: 'dashboard', errors: [],
      summary: 'The dashboard\'s data: a row per node, the status table, images and overlays in use',
      response: { name: 'Dashboard', schema: Dashboard },
    },
    async () => {
      const snap = env.registry.current;
      const rows = [...nodeRows(snap.db).values()];
      return {
        revision: snap.db.revision,
        interval: snap.conf.warewulf.updateInterval,
        now: Math.floor(Date.now() / 1000),
        nodes: rows,
        status: env.status.document().nodes,
        ...inUse(rows),
      };
    },
  );
}
