/**
 * `wwctl overlay build` and the daemon's builds on demand (§5.2), better
 * than upstream's: dependency-tracked (exactly the stale images are rebuilt,
 * each with its reason), parallel across cores (a piscina pool of worker
 * threads for large builds), and fault-isolated (a node whose template fails
 * is reported with overlay, file, line and column; the others still build;
 * its old image stays in place).
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Paths } from '../../config/paths.js';
import type { WarewulfConf } from '../../config/types.js';
import { toWwError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { NodeDb } from '../../node/nodedb.js';
import { SHARED_DIR, sharedRenderName, templateEnv, ThreadBuilder, type ImageJob, type ImageOutcome } from './node-builder.js';
import { OverlayCompiler, overlayDigest, type CompiledOverlay } from './compiler.js';
import { overlayImagePath, type OverlayKind } from './image.js';
import { buildSettingsOf } from './preview.js';
import { allNodesPartial, allNodesPlan, builtNodeDirs, combineAllNodes, GroupPool, NodeKeys, nodeDigest, type NodeMeta, readIndex, readStamp, Staleness, STAMP_FORMAT, stampOf, writeIndex, writeStamp, type ImageInputs, type ImageRecord } from './plan.js';
import { OverlayStore } from '../store.js';
import type { WorkerTask } from './worker.js';

export interface BuildContext {
  conf: WarewulfConf;
  paths: Paths;
  /** The server's hostname (`.BuildHost`). */
  hostname: string;
  db: NodeDb;
  log?: Logger;
  /** The version of an image's default kernel (§6.3), for nodes without `kernel.version`. */
  kernelVersion?: (image: string) => string | undefined;
  /** Sprig's `env` for templates; none by default. */
  env?: Record<string, string>;
}

export interface BuildOptions {
  /** Node names (existing ones); default: every node. */
  nodes?: readonly string[];
  kinds?: readonly OverlayKind[];
  /** Rebuild even what is up to date. */
  force?: boolean;
  /** Only rebuild images that exist (autobuild: what a change made stale, not nodes never built). */
  onlyBuilt?: boolean;
  /** Only say what would be rebuilt and why. */
  dryRun?: boolean;
  /** Worker threads; default one per CPU; 1 builds in this thread. Small builds always run in this thread. */
  workers?: number;
  /** Called for each image as it finishes. */
  onImage?: (r: ImageOutcome) => void;
}

export interface PlannedImage {
  node: string;
  kind: OverlayKind;
  overlays: string[];
  reason: string;
}

export interface BuildReport {
  /** Images rebuilt (or, with dryRun, that would be), with their reasons. */
  planned: PlannedImage[];
  results: ImageOutcome[];
  upToDate: number;
  failed: number;
  /** Nodes whose overlay list is empty (an empty image is built, as upstream, with a warning). */
  emptyLists: { node: string; kind: OverlayKind }[];
}

/** Below this many images a build stays in the calling thread (a pool costs more to start than it saves). */
const POOL_THRESHOLD = 64;

function confDigest(conf: WarewulfConf, paths: Paths, hostname: string): string {
  return createHash('sha256').update(JSON.stringify({ conf, paths, hostname })).digest('hex');
}

const FIELD_OF: Record<OverlayKind, string> = { system: 'SystemOverlay', runtime: 'RuntimeOverlay' };

/** Where the worker module is: this file's sibling (dist/ when running sources under a test runner). */
function workerFile(): string {
  let here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    // running the sources (vitest): worker threads load the compiled sibling, which `tsc -b` made first
    const i = here.lastIndexOf('/src/');
    here = `${here.slice(0, i)}/dist/${here.slice(i + 5, -3)}.js`;
  }
  return here.replace(/build\.js$/, 'worker.js');
}

/**
 * Plan and run a build. Resolves with a report (failures included, never
 * thrown for a node's own problem); throws only for what stops every node
 * (an unreadable provision tree, a worker that died).
 */
export async function buildOverlays(ctx: BuildContext, opts: BuildOptions = {}): Promise<BuildReport> {
  const { db, paths } = ctx;
  const ids = opts.nodes ?? db.nodeIds;
  const kinds = opts.kinds ?? (['system', 'runtime'] as const);
  const settings = buildSettingsOf(ctx);
  const compiler = new OverlayCompiler(OverlayStore.fromPaths(paths), templateEnv(settings, ctx.log), ctx.log);
  const compiled = new Map<string, CompiledOverlay | Error>();
  const overlay = async (name: string): Promise<CompiledOverlay | Error> => {
    let c = compiled.get(name);
    if (c === undefined) {
      try {
        c = await compiler.overlay(name);
      } catch (err) {
        if (toWwError(err) === undefined) throw err;
        c = toWwError(err) as Error;
      }
      compiled.set(name, c);
    }
    return c;
  };

  const server = confDigest(ctx.conf, paths, ctx.hostname);
  const stampNow = await (async () => {
    // the fast path: the last complete build's inputs all still hold
    if (opts.force || opts.onlyBuilt) return undefined;
    const stamp = await readStamp(paths.provisionOverlaysDir);
    if (stamp === undefined || stamp.revision !== db.revision || db.revision === '' || stamp.server !== server) return undefined;
    const store = OverlayStore.fromPaths(paths);
    for (const [name, digest] of Object.entries(stamp.overlays)) {
      const info = await store.get(name);
      if (info === undefined || overlayDigest(info, await store.walk(info)) !== digest) return undefined;
    }
    for (const [image, kver] of Object.entries(stamp.kernels)) if ((ctx.kernelVersion?.(image) ?? '') !== kver) return undefined;
    for (const r of stamp.reads) if ((await stampOf(r.path)) !== r.stamp) return undefined;
    const dirs = await builtNodeDirs(paths.provisionOverlaysDir);
    return ids.every((id) => dirs.has(id)) ? stamp : undefined;
  })();
  if (stampNow !== undefined) return { planned: [], results: [], upToDate: ids.length * kinds.length, failed: 0, emptyLists: [] };
  // a dry run changes nothing, the stamp of the last complete build included
  if (!opts.dryRun) await writeStamp(paths.provisionOverlaysDir, undefined).catch(() => undefined);
  const [index, dirs] = await Promise.all([readIndex(paths.provisionOverlaysDir), builtNodeDirs(paths.provisionOverlaysDir)]);
  const stamps = new Map<string, Promise<string>>();
  const stamp = (p: string) => {
    let s = stamps.get(p);
    if (s === undefined) stamps.set(p, (s = stampOf(p)));
    return s;
  };

  // kernel versions of every image nodes.conf names (what nodes without their own get; part of the node keys)
  for (const image of db.imageNames()) if (!(image in settings.kernels)) settings.kernels[image] = ctx.kernelVersion?.(image) ?? '';
  // what is known of each node now: from the last build's record while its raw entry's key holds, else by merging it
  const nodeKeys = new NodeKeys(db, settings.kernels);
  const metas = new Map<string, { key: string; fresh: NodeMeta | undefined; digest?: string; partials: Record<string, string> }>();
  const metaOf = (id: string) => {
    let m = metas.get(id);
    if (m === undefined) {
      const key = nodeKeys.key(id);
      const last = index.meta(id);
      m = { key, fresh: last?.key === key ? last : undefined, partials: {} };
      metas.set(id, m);
    }
    return m;
  };
  const allDigests = new Map<string, string>();
  const allDigest = (refs: readonly string[]): string => {
    const key = refs.join('\n');
    let d = allDigests.get(key);
    if (d === undefined) {
      const plan = allNodesPlan(refs);
      const partials = db.nodeIds.map((id) => {
        const m = metaOf(id);
        const p = m.fresh?.partials[plan.id] ?? allNodesPartial(db.require(id), plan);
        m.partials[plan.id] = p;
        return p;
      });
      allDigests.set(key, (d = combineAllNodes(partials)));
    }
    return d;
  };
  const staleness = new Staleness(stamp);
  const planned: PlannedImage[] = [];
  const failedEarly: ImageOutcome[] = [];
  const emptyLists: BuildReport['emptyLists'] = [];
  const inputsOf = new Map<string, ImageInputs>();
  let upToDate = 0;

  /** What an overlay list contributes to its images' inputs, worked out once per distinct list. */
  interface ListInfo {
    overlayDigests: Record<string, string>;
    server?: string;
    allNodes?: string;
    broken?: Error;
    key: string;
  }
  const lists = new Map<string, ListInfo>();
  const listInfo = async (list: readonly string[]): Promise<ListInfo> => {
    const k = list.join(',');
    let info = lists.get(k);
    if (info !== undefined) return info;
    const overlayDigests: Record<string, string> = {};
    let readsServer = false;
    let readsAll = false;
    const allRefs = new Set<string>();
    let broken: Error | undefined;
    for (const o of list) {
      const c = await overlay(o);
      if (c instanceof Error) {
        broken ??= c;
        continue;
      }
      overlayDigests[o] = c.digest;
      readsServer ||= c.readsServer;
      readsAll ||= c.readsAllNodes;
      for (const r of c.allNodesRefs) allRefs.add(r);
    }
    const allNodes = readsAll ? allDigest([...allRefs].sort()) : undefined;
    info = {
      overlayDigests, key: `${k}\0${readsServer ? server : ''}\0${allNodes ?? ''}`,
      ...(readsServer ? { server } : {}), ...(allNodes !== undefined ? { allNodes } : {}), ...(broken ? { broken } : {}),
    };
    lists.set(k, info);
    return info;
  };

  // first every node's inputs (synchronous but for the few distinct lists), then the verdicts
  const pending: { id: string; kind: OverlayKind; list: string[]; rec: ImageRecord | undefined; now: ImageInputs; key: string }[] = [];
  for (const id of ids) {
    // autobuild: a node never built is skipped before it is merged (a `node set` over 50,000 unbuilt nodes)
    if (opts.onlyBuilt && !dirs.has(id)) continue;
    const m = metaOf(id);
    // unchanged since the last build (same key, every image recorded from the same node digest): its lists are the records'
    const last = m.fresh?.digest;
    const known = last !== undefined && kinds.every((k) => index.get(id, k)?.node === last);
    let digest: string;
    let listOf: (kind: OverlayKind) => string[];
    if (known) {
      digest = last;
      listOf = (kind) => [...(index.get(id, kind)?.group.overlays ?? [])];
    } else {
      const node = db.require(id);
      const image = String(node.fields.get('ImageName')?.value ?? '');
      let kver = String(node.fields.get('Kernel.Version')?.value ?? '');
      if (kver === '' && image !== '') kver = settings.kernels[image] ?? '';
      digest = nodeDigest(node, kver);
      listOf = (kind) => (node.fields.get(FIELD_OF[kind])?.value as string[] | undefined) ?? [];
    }
    m.digest = digest;
    for (const kind of kinds) {
      const rec = index.get(id, kind);
      if (opts.onlyBuilt && (rec === undefined || !dirs.has(id))) continue;
      const list = listOf(kind);
      if (list.length === 0) emptyLists.push({ node: id, kind });
      const info = lists.get(list.join(',')) ?? (await listInfo(list));
      if (info.broken) {
        const ww = toWwError(info.broken);
        failedEarly.push({ node: id, kind, ok: false, warnings: [], error: { code: ww?.code ?? 'WW_ERR_TEMPLATE', message: info.broken.message } });
        continue;
      }
      const now: ImageInputs = {
        overlays: list, overlayDigests: info.overlayDigests, node: digest,
        ...(info.server !== undefined ? { server: info.server } : {}), ...(info.allNodes !== undefined ? { allNodes: info.allNodes } : {}),
      };
      pending.push({ id, kind, list, rec, now, key: info.key });
    }
  }
  const verdicts = await Promise.all(
    pending.map((p) => (opts.force ? 'forced' : !dirs.has(p.id) && p.rec !== undefined ? 'image missing' : staleness.reason(p.rec, p.now, p.key))),
  );
  pending.forEach((p, i) => {
    inputsOf.set(`${p.id}\0${p.kind}`, p.now);
    const reason = verdicts[i];
    if (reason === undefined) upToDate++;
    else planned.push({ node: p.id, kind: p.kind, overlays: [...p.list], reason });
  });

  const report: BuildReport = { planned, results: [...failedEarly], upToDate, failed: failedEarly.length, emptyLists };
  for (const r of failedEarly) opts.onImage?.(r);
  if (opts.dryRun) return report;

  // what each overlay's node-independent templates read: their kept output is valid while it holds
  const sharedInputs: Record<string, string> = {};
  const keptRenders = new Set<string>();
  for (const [name, c] of compiled) {
    if (c instanceof Error || c.nodeIndependent.size === 0) continue;
    const inputs = createHash('sha256')
      .update(`${c.digest}\0${c.readsServer ? server : ''}\0${c.readsAllNodes ? allDigest(c.allNodesRefs) : ''}`)
      .digest('hex');
    sharedInputs[name] = inputs;
    for (const path of c.nodeIndependent) keptRenders.add(sharedRenderName(inputs, name, path));
  }
  settings.sharedInputs = sharedInputs;

  const jobs: ImageJob[] = planned.map((p) => ({ node: p.node, kind: p.kind, overlays: p.overlays }));
  const workers = Math.max(1, opts.workers !== undefined && opts.workers > 0 ? opts.workers : availableParallelism());
  const outcomes: ImageOutcome[] = [];
  const done = (o: ImageOutcome) => {
    outcomes.push(o);
    opts.onImage?.(o);
  };
  if (jobs.length === 0) {
    // nothing to build: only the stamp may need writing
  } else if (workers === 1 || jobs.length < POOL_THRESHOLD) {
    const tb = new ThreadBuilder(settings, db, ctx.log, compiler);
    for (const j of jobs) done(await tb.buildOne(j));
  } else {
    const { Piscina } = await import('piscina');
    const pool = new Piscina({ filename: workerFile(), maxThreads: workers, minThreads: workers, idleTimeout: 1000 });
    try {
      const buildId = randomUUID();
      // the threads start and load the node database while this one renders what every image shares (hosts):
      // once here rather than once per thread, each merging every node for `.AllNodes`
      const warm = Promise.all(Array.from({ length: workers }, () => pool.run({ buildId, settings, revision: db.revision, jobs: [] } satisfies WorkerTask)));
      warm.catch(() => undefined); // awaited below; not an unhandled rejection should the render throw first
      const lists = new Set(jobs.flatMap((j) => j.overlays));
      await new ThreadBuilder(settings, db, ctx.log, compiler).prerenderShared(lists, jobs[0]?.node as string);
      await warm;
      // batches small enough to balance the threads, large enough that the per-task cost vanishes
      const size = Math.max(8, Math.min(256, Math.ceil(jobs.length / (workers * 8))));
      const tasks: Promise<void>[] = [];
      for (let i = 0; i < jobs.length; i += size) {
        const task: WorkerTask = { buildId, settings, revision: db.revision, jobs: jobs.slice(i, i + size) };
        tasks.push((pool.run(task) as Promise<ImageOutcome[]>).then((rs) => rs.forEach(done)));
      }
      await Promise.all(tasks);
    } finally {
      await pool.destroy();
    }
  }

  const groups = new GroupPool();
  for (const o of outcomes) {
    report.results.push(o);
    if (!o.ok) {
      report.failed++;
      continue;
    }
    const inputs = inputsOf.get(`${o.node}\0${o.kind}`) as ImageInputs;
    const { node: nodeDigest_, ...group } = inputs;
    const rec: ImageRecord = { group: groups.intern({ ...group, reads: o.reads ?? [] }), node: nodeDigest_, builtAt: settings.buildTime };
    index.set(o.node, o.kind, rec);
  }
  index.retainMeta((id) => db.hasNode(id));
  for (const [id, m] of metas) index.setMeta(id, { key: m.key, ...(m.digest !== undefined ? { digest: m.digest } : m.fresh?.digest !== undefined ? { digest: m.fresh.digest } : {}), partials: m.partials });
  await mkdir(paths.provisionOverlaysDir, { recursive: true });
  if (outcomes.length > 0) await writeIndex(paths.provisionOverlaysDir, index);
  // renders kept for inputs that no longer hold are of no use
  const sharedDir = join(paths.provisionOverlaysDir, SHARED_DIR);
  for (const f of await readdir(sharedDir).catch(() => [] as string[])) {
    if (!keptRenders.has(f) && ids.length === db.nodeIds.length) await rm(join(sharedDir, f), { force: true });
  }
  // every node of the registry up to date, nothing failed: the next build can stop at the stamp
  const complete = report.failed === 0 && ids.length === db.nodeIds.length && kinds.length === 2 && !opts.onlyBuilt
    && db.nodeIds.every((id) => kinds.every((k) => index.get(id, k) !== undefined));
  if (complete) {
    const overlays: Record<string, string> = {};
    for (const [name, c] of compiled) if (!(c instanceof Error)) overlays[name] = c.digest;
    const reads = new Map<string, string>();
    for (const id of db.nodeIds) for (const k of kinds) for (const r of index.get(id, k)?.group.reads ?? []) reads.set(r.path, r.stamp);
    await writeStamp(paths.provisionOverlaysDir, {
      format: STAMP_FORMAT, revision: db.revision, server, overlays, kernels: { ...settings.kernels },
      reads: [...reads].map(([path, stamp]) => ({ path, stamp })),
    });
  }
  return report;
}

/** The image files of a node (for callers that serve or read them). */
export { overlayImagePath };
