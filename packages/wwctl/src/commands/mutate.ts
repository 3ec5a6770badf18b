/**
 * The confirm-then-write flow shared by `node set|unset` and
 * `profile set|unset` (§1.3): summarise, ask (unless --yes), then re-apply
 * under the lock to a fresh read and write atomically.
 */
import {
  WwError, applyEdits, duplicateIpaddrs, readNodesConf, touchesIpaddrs, updateNodesConf, type EditOp, type FieldChange, type NodesDocument, type Section,
} from '@warewulf/core';
import { formatChangeSummary } from '../output/changes.js';
import type { Ctx } from '../context.js';
import { autobuild, overlayStore } from './overlay/support.js';

export interface MutationPlan {
  section: Section;
  /** Which entities, given the current document; unknown ones are skipped, with a warning unless `quiet`. */
  select(doc: NodesDocument, quiet: boolean): string[];
  edits: readonly EditOp[];
  yes: boolean;
  /** `node unset` says so when nothing was modified. */
  failWhenUnchanged?: string;
}

function summarize(changes: Map<string, FieldChange[]>): { text: string; count: number } {
  const count = [...changes.values()].filter((c) => c.length > 0).length;
  return { text: formatChangeSummary(changes), count };
}

export async function runMutation(ctx: Ctx, plan: MutationPlan): Promise<void> {
  const { paths } = await ctx.load();
  const noun = plan.section === 'node' ? 'node(s)' : 'profile(s)';
  if (!plan.yes) {
    const preview = await readNodesConf(paths.nodesConf, { cacheDir: paths.nodesCacheDir });
    const ids = plan.select(preview, false);
    const s = summarize(applyEdits(preview, plan.section, ids, () => plan.edits));
    if (s.count === 0) {
      if (plan.failWhenUnchanged) throw new WwError('WW_ERR_USAGE', plan.failWhenUnchanged);
      ctx.out.write('No changes to apply.\n');
      return;
    }
    ctx.out.write(s.text);
    if (!(await ctx.confirm(`Apply these changes to ${s.count} ${noun}?`))) {
      ctx.out.write('No changes made!\n');
      return;
    }
  }
  const { result } = await updateNodesConf(
    paths.nodesConf,
    (doc) => {
      // the preview already warned about unknown names
      const ids = plan.select(doc, !plan.yes);
      const s = summarize(applyEdits(doc, plan.section, ids, () => plan.edits));
      const dups = plan.section === 'node' && s.count > 0 && touchesIpaddrs(plan.edits) ? duplicateIpaddrs(doc, ids) : [];
      return { result: { ...s, dups }, write: s.count > 0 };
    },
    { cacheDir: paths.nodesCacheDir, onWait: (holder) => ctx.log.verbose(`waiting for the nodes.conf lock held by ${holder}`) },
  );
  if (result.count === 0) {
    if (plan.failWhenUnchanged) throw new WwError('WW_ERR_USAGE', plan.failWhenUnchanged);
    ctx.out.write('No changes to apply.\n');
    return;
  }
  if (plan.yes) ctx.out.write(`Applying following changes:\n${result.text}`);
  warnDuplicateIpaddrs(ctx, result.dups);
  await warnUnknownReferences(ctx, plan.edits);
  await autobuild(ctx);
}

/**
 * An image or overlay named by the change that does not exist (yet) is
 * written all the same (an admin may name an image before importing it),
 * but said: otherwise the mistake shows only at boot, as a 404.
 */
async function warnUnknownReferences(ctx: Ctx, edits: readonly EditOp[]): Promise<void> {
  const images = new Set<string>();
  const overlays = new Set<string>();
  for (const e of edits) {
    if (e.op !== 'set') continue;
    const name = e.ref.spec.name;
    if (name === 'ImageName' && typeof e.value === 'string' && e.value !== '') images.add(e.value);
    if ((name === 'SystemOverlay' || name === 'RuntimeOverlay') && Array.isArray(e.value)) {
      for (const o of e.value) if (typeof o === 'string' && o !== '' && !o.startsWith('~')) overlays.add(o);
    }
  }
  if (images.size === 0 && overlays.size === 0) return;
  const { paths } = await ctx.load();
  if (images.size > 0) {
    const { imageExists } = await import('@warewulf/core/image/names');
    for (const i of images) if (!(await imageExists(paths, i))) ctx.log.warn(`image ${i} does not exist (yet): nodes using it cannot boot until it is imported`);
  }
  if (overlays.size > 0) {
    const store = await overlayStore(ctx);
    for (const o of overlays) if ((await store.get(o)) === undefined) ctx.log.warn(`overlay ${o} does not exist (yet): overlay builds of nodes using it will fail`);
  }
}

/**
 * Two nodes on one address: written all the same (upstream accepts it, and
 * an admin may be midway through swapping two addresses), but said, since
 * the DHCP configs `configure` writes then break (dnsmasq will not start).
 */
export function warnDuplicateIpaddrs(ctx: Ctx, dups: readonly { ipaddr: string; nodes: readonly string[] }[]): void {
  for (const d of dups.slice(0, 5)) ctx.log.warn(`address ${d.ipaddr} is given to more than one node: ${d.nodes.join(', ')} (DHCP configs with both will not load)`);
  if (dups.length > 5) ctx.log.warn(`... and ${dups.length - 5} more addresses given to more than one node`);
}
