/**
 * Rendering many nodes' images of the same overlay list without redoing,
 * per node, what is the same for all of them. renderImage merges every
 * entry of every overlay of the list (a few hundred for the default
 * profile) for each node, though only the node's own templates differ: here
 * that merge is done once per list (renderImage with the node's templates
 * left out: the list's shared part), and each node renders only its own
 * templates and places their output on top.
 *
 * The result is exactly renderImage's (same entries, same order, same shared
 * part, reads and warnings): when a node's output lands on a path the list's
 * shared part or another of its templates also writes, where the merge
 * order decides, the node goes through renderImage instead.
 */
import type { CpioEntryInput } from '@warewulf/cpio';
import { encodeGoString } from '@warewulf/gotemplate';
import type { MergedNode } from '../../node/merge.js';
import type { NodeData, TemplateBuild } from '../template-data.js';
import type { OverlayCompiler } from './compiler.js';
import { renderImage, type RenderedImage, type SharedRenders, type TemplateStep } from './image.js';

/** What every node of one overlay list has in common in a build. */
interface ListPlan {
  readonly shared: RenderedImage['shared'];
  /** Every path the shared part writes (its entries and the parent directories added for them). */
  readonly sharedPaths: ReadonlySet<string>;
  /** Directories present once the shared part is unpacked. */
  readonly dirs: ReadonlySet<string>;
  /** The list's templates in merge order. */
  readonly steps: readonly TemplateStep[];
}

/** Per-list renderer of one build (one per thread): see the module comment. */
export class ListRenderer {
  private readonly plans = new Map<string, Promise<ListPlan | undefined>>();

  constructor(
    private readonly compiler: OverlayCompiler,
    private readonly build: TemplateBuild,
    /** The build time (s since the epoch): rendered files' mtime. */
    private readonly mtime: number,
    private readonly sharedResults: SharedRenders,
  ) {}

  /** The same as renderImage(compiler, build, node, overlays, mtime, sharedResults); throws what it throws. */
  async render(node: MergedNode, overlays: readonly string[]): Promise<RenderedImage> {
    const key = overlays.join('\0');
    let plan = this.plans.get(key);
    if (plan === undefined) {
      plan = this.planOf(node, overlays).catch(() => undefined);
      this.plans.set(key, plan);
    }
    const p = await plan;
    return (p && this.renderOwn(p, node)) ?? renderImage(this.compiler, this.build, node, overlays, this.mtime, this.sharedResults);
  }

  private async planOf(node: MergedNode, overlays: readonly string[]): Promise<ListPlan> {
    const steps: TemplateStep[] = [];
    const img = await renderImage(this.compiler, this.build, node, overlays, this.mtime, this.sharedResults, (s) => steps.push(s));
    return {
      shared: img.shared,
      sharedPaths: new Set(img.shared.entries.map((e) => e.path)),
      dirs: new Set(img.shared.entries.filter((e) => e.type === 'directory').map((e) => e.path)),
      steps,
    };
  }

  /** The node's image from the plan; undefined when its output collides with the shared part or itself. */
  private renderOwn(p: ListPlan, node: MergedNode): RenderedImage | undefined {
    const own: CpioEntryInput[] = [];
    const ownPaths = new Set<string>();
    const reads = new Set<string>();
    const warnings: string[] = [];
    let data: NodeData | undefined;
    for (const s of p.steps) {
      let r = s.shared;
      if (r === undefined) {
        data ??= this.build.dataFor(node);
        r = s.template.render(data);
      }
      for (const x of r.reads) reads.add(x);
      for (const w of r.warnings) warnings.push(`overlay ${s.overlay}: ${s.path}: ${w}`);
      if (s.shared) continue; // its output is in the shared part
      for (const slot of r.slots) {
        if (p.sharedPaths.has(slot.path) || ownPaths.has(slot.path)) return undefined;
        ownPaths.add(slot.path);
        own.push(
          slot.kind === 'symlink'
            ? { path: slot.path, type: 'symlink', target: slot.target ?? '', ...s.meta }
            : { path: slot.path, type: 'file', data: encodeGoString(slot.content), ...s.meta },
        );
      }
    }
    // the parent directories the node's files need that the shared part lacks (as renderImage adds them)
    const parents: CpioEntryInput[] = [];
    const added = new Set<string>();
    for (const e of own) {
      for (let i = e.path.lastIndexOf('/'); i > 0; i = e.path.lastIndexOf('/', i - 1)) {
        const d = e.path.slice(0, i);
        if (p.dirs.has(d) || added.has(d)) break;
        added.add(d);
        parents.push({ path: d, type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: 0 });
      }
    }
    return { shared: p.shared, entries: [...parents, ...own], reads: [...reads].sort(), warnings };
  }
}
