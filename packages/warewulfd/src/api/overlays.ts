/**
 * `/api/overlays` (§4.10, §5.1): list and show overlays, read (or render
 * for a node) one file, create and delete overlays, write and delete
 * files, on core's overlay store. Reads never leave the overlay (a
 * symlink out of it is a 400); writes go to the site copy.
 */
import { hostname } from 'node:os';
import type { DaemonEnv } from '../env.js';
import { coreLogger } from '../log.js';
import { entryCondition } from './etag.js';
import type { RouteTable } from './route.js';
import {
  NameParams, OverlayDeleteQuery, OverlayFile, OverlayFileBody, OverlayFileDeleteQuery, OverlayFileQuery, OverlayFileRef,
  OverlayFileWriteQuery, OverlayInfo, OverlayMap,
} from './schemas.js';

const overlayMod = () => import('@warewulf/core/overlay');

type OverlayStore = InstanceType<Awaited<ReturnType<typeof overlayMod>>['OverlayStore']>;
type Info = { files: string[]; site: boolean };

async function describe(store: OverlayStore, o: { name: string; site: boolean; dir: string; root: string }): Promise<Info> {
  const entries = await store.walk(o);
  return { files: entries.filter((e) => e.type !== 'directory').map((e) => e.path), site: o.site };
}

/** Register the /api/overlays routes on the table (the overlay module is loaded on first use). */
export function overlayRoutes(t: RouteTable, env: DaemonEnv): void {
  const store = async () => (await overlayMod()).OverlayStore.fromPaths(env.paths);
  t.add(
    { method: 'GET', url: '/overlays/', id: 'listOverlays', tag: 'overlays', errors: [], summary: 'Every overlay (name -> its files, site or distribution)', response: { name: 'OverlayMap', schema: OverlayMap } },
    async () => {
      const s = await store();
      const out: Record<string, Info> = {};
      for (const o of await s.list()) out[o.name] = await describe(s, o);
      return out;
    },
  );
  t.add(
    { method: 'GET', url: '/overlays/:name', id: 'getOverlay', tag: 'overlays', params: NameParams, errors: [400, 404], summary: 'One overlay', response: { name: 'OverlayInfo', schema: OverlayInfo } },
    async ({ params }) => {
      const s = await store();
      return describe(s, await s.find(params.name));
    },
  );
  t.add(
    { method: 'PUT', url: '/overlays/:name', id: 'createOverlay', tag: 'overlays', params: NameParams, errors: [400, 409], summary: 'Create an empty site overlay', response: { name: 'OverlayInfo', schema: OverlayInfo } },
    async ({ params }) => {
      const s = await store();
      return describe(s, await s.create(params.name));
    },
  );
  t.add(
    {
      method: 'DELETE', url: '/overlays/:name', id: 'deleteOverlay', tag: 'overlays', params: NameParams, query: OverlayDeleteQuery, errors: [400, 404, 409],
      summary: 'Delete a site overlay (it must be empty unless ?force)', response: { name: 'OverlayInfo', schema: OverlayInfo },
    },
    async ({ params, query }) => {
      const s = await store();
      const before = await describe(s, await s.find(params.name));
      await s.delete(params.name, { force: query.force });
      return before;
    },
  );
  t.add(
    {
      method: 'GET', url: '/overlays/:name/file', id: 'getOverlayFile', tag: 'overlays', params: NameParams, query: OverlayFileQuery, errors: [400, 404, 500],
      summary: 'One file of an overlay, or (?render=NODE) its template rendered for a node', response: { name: 'OverlayFile', schema: OverlayFile },
    },
    async ({ params, query }) => {
      const { readOverlayFile } = await overlayMod();
      const snap = env.registry.current;
      const render = query.render === undefined ? undefined : { conf: snap.conf, paths: env.paths, db: snap.db, hostname: hostname(), log: coreLogger(env.log), node: query.render };
      return readOverlayFile(await store(), params.name, query.path, render);
    },
  );
  t.add(
    {
      method: 'PUT', url: '/overlays/:name/file', id: 'putOverlayFile', tag: 'overlays', params: NameParams, query: OverlayFileWriteQuery, ifNoneMatch: true, errors: [400, 404],
      summary: 'Write a file of an overlay (If-None-Match: * only creates)',
      body: { name: 'OverlayFileBody', schema: OverlayFileBody }, response: { name: 'OverlayFile', schema: OverlayFile },
    },
    async ({ params, query, body, req }) => {
      const { writeOverlayFile } = await overlayMod();
      return writeOverlayFile(await store(), params.name, query.path, body.content, { exclusive: entryCondition(req).ifNoneMatchAny === true });
    },
  );
  t.add(
    {
      method: 'DELETE', url: '/overlays/:name/file', id: 'deleteOverlayFile', tag: 'overlays', params: NameParams, query: OverlayFileDeleteQuery, errors: [400, 404],
      summary: 'Delete a file (a directory only when empty unless ?force; ?cleanup removes parents left empty)', response: { name: 'OverlayFileRef', schema: OverlayFileRef },
    },
    async ({ params, query }) => {
      const { deleteOverlayFile } = await overlayMod();
      await deleteOverlayFile(await store(), params.name, query.path, { force: query.force, parents: query.cleanup });
      return { overlay: params.name, path: query.path };
    },
  );
}
