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
import type { NodeDb } from '../../node/nodedb.js';
import { TemplateBuild } from '../template-data.js';
import type { CompiledTemplate, RenderResult, TemplateEnv } from '../compile.js';
import { OverlayStore } from '../store.js';
import { OverlayCompiler } from './compiler.js';
import { overlayImagePath, packImage, renderImage, writeImage, type OverlayKind } from './image.js';
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

/** One build's shared state in a thread. */
export class ThreadBuilder {
  private readonly compiler: OverlayCompiler;
  private readonly build: TemplateBuild;
  private readonly stamps = new Map<string, Promise<string>>();
  private readonly shared = new Map<CompiledTemplate, RenderResult>();
  private readonly sharedParts = new Map<string, Promise<Buffer>>();
  private readonly dirs = new Set<string>();

  constructor(
    private readonly s: BuildSettings,
    private readonly db: NodeDb,
    log?: Logger,
  ) {
    this.compiler = new OverlayCompiler(OverlayStore.fromPaths(s.paths), templateEnv(s, log), log);
    this.build = new TemplateBuild(
      { conf: s.conf, paths: s.paths, hostname: s.hostname, buildTime: new Date(s.buildTime), kernelVersion: (img) => s.kernels[img] },
      () => db.all(),
    );
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
      const r = await renderImage(this.compiler, this.build, node, job.overlays, Math.floor(this.s.buildTime / 1000), this.shared);
      const w = await writeImage(path, await packImage(r, this.sharedParts), this.dirs);
      const reads = await Promise.all(r.reads.map(async (p) => ({ path: p, stamp: await this.stamp(p) })));
      return { node: job.node, kind: job.kind, ok: true, path, gzBytes: w.gzBytes, reads, warnings: [...r.warnings] };
    } catch (err) {
      const ww = toWwError(err);
      if (ww === undefined) throw err;
      return { node: job.node, kind: job.kind, ok: false, warnings: [], error: { code: ww.code, message: ww.message } };
    }
  }

  async buildAll(jobs: readonly ImageJob[]): Promise<ImageOutcome[]> {
    const out: ImageOutcome[] = [];
    for (const j of jobs) out.push(await this.buildOne(j));
    return out;
  }
}
