/**
 * Overlay builds through the API (§4.10, §5.2): build every node's or one
 * node's images with core's dependency-tracked builder, and tell whether a
 * node's images are fresh (built, and nothing they depend on changed since:
 * the builder's own dry-run verdict, with its reason when not).
 */
import { stat } from 'node:fs/promises';
import { WwError, type NodeDb } from '@warewulf/core';
import type { BuildReport, OverlayKind } from '@warewulf/core/overlay';
import { buildSnapshotOverlays } from '../autobuild.js';
import type { DaemonEnv } from '../env.js';
import type { Snapshot } from '../plugins/node-db.js';
import type { RouteTable } from './route.js';
import { BuildQuery, BuiltNodes, Freshness, IdParams, NodeOverlays } from './schemas.js';

export interface ImageState {
  overlays: string[];
  mtime: string | null;
  fresh: boolean;
  reason: string;
}

const KINDS: readonly OverlayKind[] = ['system', 'runtime'];
const FIELD: Record<OverlayKind, string> = { system: 'SystemOverlay', runtime: 'RuntimeOverlay' };

/** A dry run's verdicts are kept this long per snapshot (overlay sources can change without a reload). */
const FRESHNESS_TTL_MS = 2000;

/** The verdicts of one dry run: node -> kind -> reason ('' when fresh). */
type Verdicts = Map<string, Map<OverlayKind, string>>;

const dryRuns = new WeakMap<NodeDb, { at: number; verdicts: Promise<Verdicts> }>();

function verdictsOf(report: BuildReport): Verdicts {
  const out: Verdicts = new Map();
  const put = (node: string, kind: OverlayKind, reason: string) => {
    const m = out.get(node) ?? new Map<OverlayKind, string>();
    m.set(kind, reason);
    out.set(node, m);
  };
  for (const p of report.planned) put(p.node, p.kind, p.reason);
  for (const r of report.results) if (!r.ok) put(r.node, r.kind, `fails to build: ${r.error?.message ?? 'error'}`);
  return out;
}

/** What the next build would do for every node of the snapshot (one shared dry run per snapshot and TTL). */
function verdicts(env: DaemonEnv, snap: Snapshot): Promise<Verdicts> {
  const hit = dryRuns.get(snap.db);
  if (hit !== undefined && Date.now() - hit.at < FRESHNESS_TTL_MS) return hit.verdicts;
  const p = buildSnapshotOverlays({ paths: env.paths, conf: snap.conf, db: snap.db, log: env.log }, { dryRun: true }).then(verdictsOf);
  dryRuns.set(snap.db, { at: Date.now(), verdicts: p });
  p.catch(() => dryRuns.delete(snap.db));
  return p;
}

async function imageMtime(env: DaemonEnv, node: string, kind: OverlayKind): Promise<string | null> {
  const { overlayImagePath } = await import('@warewulf/core/overlay');
  const img = overlayImagePath(env.paths.provisionOverlaysDir, node, kind);
  for (const p of [`${img}.gz`, img]) {
    const st = await stat(p).catch(() => undefined);
    if (st?.isFile()) return st.mtime.toISOString();
  }
  return null;
}

/** The state of one node's system and runtime images. */
export async function nodeImageStates(env: DaemonEnv, snap: Snapshot, id: string, v?: Verdicts): Promise<Record<OverlayKind, ImageState>> {
  const node = snap.db.require(id);
  const all = v ?? (await verdicts(env, snap));
  const out = {} as Record<OverlayKind, ImageState>;
  for (const kind of KINDS) {
    const list = node.fields.get(FIELD[kind])?.value;
    const reason = all.get(id)?.get(kind) ?? '';
    out[kind] = { overlays: Array.isArray(list) ? list.map(String) : [], mtime: await imageMtime(env, id, kind), fresh: reason === '', reason };
  }
  return out;
}

/** Build and answer with the sorted ids of the nodes built; a failed image is a 500 naming node, overlay and template position. */
async function build(env: DaemonEnv, nodes: readonly string[] | undefined, force: boolean): Promise<string[]> {
  const snap = env.registry.current;
  const r = await buildSnapshotOverlays({ paths: env.paths, conf: snap.conf, db: snap.db, log: env.log }, { ...(nodes ? { nodes } : {}), force });
  dryRuns.delete(snap.db);
  const failed = r.results.filter((x) => !x.ok);
  if (failed.length > 0) {
    throw new WwError('WW_ERR_BUILD', failed.map((f) => `${f.node}: ${f.kind} overlay: ${f.error?.message ?? 'failed'}`).join('; '));
  }
  return [...(nodes ?? snap.db.nodeIds)].sort();
}

/** Register the build routes and the freshness of every node's images (`/api/dashboard/freshness`). */
export function buildRoutes(t: RouteTable, env: DaemonEnv): void {
  t.add(
    {
      method: 'POST', url: '/nodes/overlays/build', id: 'buildAllOverlays', tag: 'builds', query: BuildQuery, errors: [400, 500],
      summary: 'Build the overlay images of every node (what is stale, or everything with ?force)',
      response: { name: 'BuiltNodes', schema: BuiltNodes },
    },
    async ({ query }) => build(env, undefined, query.force),
  );
  t.add(
    {
      method: 'POST', url: '/nodes/:id/overlays/build', id: 'buildNodeOverlays', tag: 'builds', params: IdParams, query: BuildQuery, errors: [400, 404, 500],
      summary: 'Build one node\'s overlay images',
      response: { name: 'BuiltNodes', schema: BuiltNodes },
    },
    async ({ params, query }) => {
      env.registry.current.db.require(params.id);
      return build(env, [params.id], query.force);
    },
  );
  t.add(
    {
      method: 'GET', url: '/nodes/:id/overlays', id: 'getNodeOverlays', tag: 'builds', params: IdParams, errors: [404],
      summary: 'The node\'s overlay images: their overlays, build time and freshness',
      response: { name: 'NodeOverlays', schema: NodeOverlays },
    },
    async ({ params }) => {
      const s = await nodeImageStates(env, env.registry.current, params.id);
      return { 'system overlay': s.system, 'runtime overlay': s.runtime };
    },
  );
  t.add(
    {
      method: 'GET', url: '/dashboard/freshness', id: 'getFreshness', tag: 'dashboard', errors: [],
      summary: 'Every node\'s overlay image states (the dashboard\'s freshness column)',
      response: { name: 'Freshness', schema: Freshness },
    },
    async () => {
      const snap = env.registry.current;
      const v = await verdicts(env, snap);
      const out: Record<string, Record<OverlayKind, ImageState>> = {};
      for (const id of snap.db.nodeIds) out[id] = await nodeImageStates(env, snap, id, v);
      return out;
    },
  );
}
