/**
 * Building the images of a batch of nodes in one thread (the main one for
 * small builds, a worker of the pool for large ones): one compiler and one
 * TemplateBuild for the whole batch, each image in a try of its own so one
 * node's bad template never stops the others.
 */
import type { WarewulfConf } from '../../config/types.js';
import type { Paths } from '../../config/paths.js';
import { toWwError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { MergedNode } from '../../node/merge.js';
import type { NodeDb } from '../../node/nodedb.js';
import { TemplateBuild } from '../template-data.js';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompiledTemplate, RenderResult, TemplateEnv } from '../compile.js';
import { OverlayStore } from '../store.js';
import { OverlayCompiler } from './compiler.js';
import { ListRenderer } from './list-plan.js';
import { overlayImagePath, packImage, writeImage, type OverlayKind, type SharedRenders } from './image.js';
import { stampOf, type ReadStamp } from './plan.js';

/** Everything a thread needs to build (plain data: it crosses to worker threads). */
export interface BuildSettings {
  conf: WarewulfConf;
  paths: Paths;
  hostname: string;
  /** Kernel versions of the images' default kernels, by image name (§6.3; `.Kernel.Version` of nodes without one). */
  kernels: Record<string, string>;
  /** Sprig's `env` (none by default: templates should not depend on who runs the build). */
  env?: Record<string, string>;
  /** Render time for `.BuildTime` (ms since the epoch). */
  buildTime: number;
  /**
   * Per overlay, a digest of what its node-independent templates read (its
   * files, server data, the .AllNodes fields): their output is kept on disk
   * under it, so the next build renders them again only when it changed.
   */
  sharedInputs?: Record<string, string>;
}

export interface ImageJob {
  node: string;
  kind: OverlayKind;
  overlays: string[];
}

export interface ImageOutcome {
  node: string;
  kind: OverlayKind;
  ok: boolean;
  path?: string;
  gzBytes?: number;
  reads?: ReadStamp[];
  warnings: string[];
  error?: { code: string; message: string };
}

/**
 * The template data of a build with settings `s` (§5.3): server data, the
 * build time, and for nodes without kernel.version their image's default
 * kernel (§6.3). The one place a build, `overlay diff` and `overlay show
 * --render` get their data from, so a preview shows what a build writes.
 */
export function templateBuildOf(s: BuildSettings, nodes: () => Iterable<MergedNode>): TemplateBuild {
  return new TemplateBuild({ conf: s.conf, paths: s.paths, hostname: s.hostname, buildTime: new Date(s.buildTime), kernelVersion: (img) => s.kernels[img] }, nodes);
}

/** The template environment of a build: confined roots for Include / IncludeFrom (§5.5). */
export function templateEnv(s: BuildSettings, log?: Logger): TemplateEnv {
  return {
    confDir: `${s.paths.sysconfdir}/warewulf`,
    serverRoot: s.paths.root === '' ? '/' : s.paths.root,
    imageRoot: (image: string) => `${s.paths.wwchrootdir}/${image}/rootfs`,
    ...(log ? { log } : {}),
    env: s.env ?? {},
    now: () => new Date(s.buildTime),
  };
}

export const SHARED_DIR = '.ww-shared';

/** The file a node-independent template's output is kept in: named by what it was made from. */
export function sharedRenderName(inputs: string, overlay: string, path: string): string {
  return `${createHash('sha256').update(`${inputs}\0${overlay}\0${path}`).digest('hex')}.json`;
}

/**
 * Node-independent renders in memory for this build, and on disk in the
 * provision tree for the next builds (hosts at 10,000 nodes costs a third of
 * a second to render; a one-node rebuild should not pay it). A kept render is
 * used only while the files it read are unchanged.
 */
class DiskSharedRenders implements SharedRenders {
  private readonly mem = new Map<CompiledTemplate, RenderResult>();

  constructor(
    private readonly dir: string,
    private readonly inputs: Record<string, string>,
  ) {}

  async get(overlay: string, path: string, t: CompiledTemplate): Promise<RenderResult | undefined> {
    const m = this.mem.get(t);
    if (m !== undefined) return m;
    const inputs = this.inputs[overlay];
    if (inputs === undefined) return undefined;
    try {
      const kept = JSON.parse(await readFile(join(this.dir, sharedRenderName(inputs, overlay, path)), 'utf8')) as { result: RenderResult; stamps: ReadStamp[] };
      for (const r of kept.stamps) if ((await stampOf(r.path)) !== r.stamp) return undefined;
      this.mem.set(t, kept.result);
      return kept.result;
    } catch {
      return undefined;
    }
  }

  async set(overlay: string, path: string, t: CompiledTemplate, r: RenderResult): Promise<void> {
    this.mem.set(t, r);
    const inputs = this.inputs[overlay];
    if (inputs === undefined) return;
    const stamps = await Promise.all(r.reads.map(async (p) => ({ path: p, stamp: await stampOf(p) })));
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, sharedRenderName(inputs, overlay, path));
    const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    await writeFile(tmp, JSON.stringify({ result: r, stamps }));
    await rename(tmp, file);
  }
}

/** One build's shared state in a thread. */
export class ThreadBuilder {
  private readonly compiler: OverlayCompiler;
  private readonly build: TemplateBuild;
  private readonly stamps = new Map<string, Promise<string>>();
  private readonly shared: SharedRenders;
  private readonly sharedParts = new Map<string, Promise<Buffer>>();
  private readonly lists: ListRenderer;

  constructor(
    private readonly s: BuildSettings,
    private readonly db: NodeDb,
    log?: Logger,
    /** The build's compiler when this thread has one already (its templates parsed once), made from templateEnv(s, log). */
    compiler?: OverlayCompiler,
  ) {
    this.shared = new DiskSharedRenders(join(s.paths.provisionOverlaysDir, SHARED_DIR), s.sharedInputs ?? {});
    this.compiler = compiler ?? new OverlayCompiler(OverlayStore.fromPaths(s.paths), templateEnv(s, log), log);
    this.build = templateBuildOf(s, () => db.all());
    this.lists = new ListRenderer(this.compiler, this.build, Math.floor(s.buildTime / 1000), this.shared);
  }

  private stamp(path: string): Promise<string> {
    let p = this.stamps.get(path);
    if (p === undefined) {
      p = stampOf(path);
      this.stamps.set(path, p);
    }
    return p;
  }

  /** Build one image; never throws for a node's own problem (the outcome says it). */
  async buildOne(job: ImageJob): Promise<ImageOutcome> {
    const path = overlayImagePath(this.s.paths.provisionOverlaysDir, job.node, job.kind);
    try {
      const node = this.db.require(job.node);
      const r = await this.lists.render(node, job.overlays);
      const w = writeImage(path, await packImage(r, this.sharedParts));
      const reads = await Promise.all(r.reads.map(async (p) => ({ path: p, stamp: await this.stamp(p) })));
      return { node: job.node, kind: job.kind, ok: true, path, gzBytes: w.gzBytes, reads, warnings: [...r.warnings] };
    } catch (err) {
      const ww = toWwError(err);
      if (ww === undefined) throw err;
      return { node: job.node, kind: job.kind, ok: false, warnings: [], error: { code: ww.code, message: ww.message } };
    }
  }

  /**
   * Render (or find kept) the node-independent templates of these overlays
   * (hosts, exports) for the build, as the first image using each would, so
   * that the pool's threads read them instead of each computing `.AllNodes`
   * again. `node`: any node of the build (such templates do not read it).
   * Overlays that fail to compile or render are left to the images (they
   * report it, per node).
   */
  async prerenderShared(overlays: Iterable<string>, node: string): Promise<void> {
    for (const name of overlays) {
      try {
        const ov = await this.compiler.overlay(name);
        for (const path of ov.nodeIndependent) {
          const t = ov.templates.get(path) as CompiledTemplate;
          if ((await this.shared.get(name, path, t)) === undefined) await this.shared.set(name, path, t, t.render(this.build.dataFor(this.db.require(node))));
        }
      } catch (err) {
        if (toWwError(err) === undefined) throw err;
      }
    }
  }

  async buildAll(jobs: readonly ImageJob[]): Promise<ImageOutcome[]> {
    const out: ImageOutcome[] = [];
    for (const j of jobs) out.push(await this.buildOne(j));
    return out;
  }
}
