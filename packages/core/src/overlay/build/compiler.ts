/**
 * What a build knows of each overlay, worked out once per build (per worker
 * thread) and shared by every node: its entries (one walk), its templates
 * (parsed once), a digest of its files (for dependency tracking) and which
 * data its templates read.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeGoString } from '@warewulf/gotemplate';
import { WwError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { compileTemplate, type CompiledTemplate, type TemplateEnv } from '../compile.js';
import { templateReferences } from '../info.js';
import type { OverlayEntry, OverlayInfo, OverlayStore } from '../store.js';

/** Top-level template data that comes from the server, not the node (§5.3). */
const SERVER_FIELDS = new Set([
  'BuildHost', 'Ipaddr', 'Netmask', 'Network', 'IpCIDR', 'NetworkCIDR', 'Ipaddr6', 'PrefixLen6', 'IpCIDR6', 'Network6',
  'NetworkCIDR6', 'Ipv6', 'Warewulf', 'Dhcp', 'Tftp', 'Nfs', 'Ssh', 'Paths',
]);

/** `.AllNodes[].Id` -> `AllNodes`, `.Warewulf.Port` -> `Warewulf`. */
function topName(path: string): string {
  return /^\.([A-Za-z0-9_]+)/.exec(path)?.[1] ?? '';
}

export interface CompiledOverlay {
  readonly info: OverlayInfo;
  readonly entries: readonly OverlayEntry[];
  /** Parsed templates by entry path (`etc/hosts.ww`). */
  readonly templates: ReadonlyMap<string, CompiledTemplate>;
  /** The other files' contents, read once per build (every node's image carries them). */
  readonly files: ReadonlyMap<string, Buffer>;
  /**
   * Templates whose output is the same for every node of a build: they read
   * only server data and `.AllNodes` (hosts, exports): rendered once per build.
   */
  readonly nodeIndependent: ReadonlySet<string>;
  /** What the templates read of `.AllNodes[]` (`Id`, `NetDevs[].Ipaddr`; `*` for everything). */
  readonly allNodesRefs: readonly string[];
  /** Changes whenever a file of the overlay changes (name, type, mode, owner, size, time, inode, link target). */
  readonly digest: string;
  /** Some template reads server data (warewulf.conf, paths, build host). */
  readonly readsServer: boolean;
  /** Some template reads `.AllNodes` (or the whole data object): every node's change matters. */
  readsAllNodes: boolean;
}

/** Changes whenever a file of the overlay changes: name, type, mode, owner, size, time, inode, link target. */
export function overlayDigest(info: OverlayInfo, entries: readonly OverlayEntry[]): string {
  const h = createHash('sha256');
  h.update(`${info.dir}\0`);
  for (const e of entries) h.update(`${e.path}\0${e.type}\0${e.mode}\0${e.uid}\0${e.gid}\0${e.size}\0${e.mtimeMs}\0${e.ino}\0${e.target ?? ''}\n`);
  return h.digest('hex');
}

export class OverlayCompiler {
  private readonly cache = new Map<string, Promise<CompiledOverlay>>();

  constructor(
    private readonly store: OverlayStore,
    private readonly env: TemplateEnv,
    private readonly log?: Logger,
  ) {}

  /** The compiled overlay; throws WW_ERR_OVERLAY_NOT_FOUND, or a TemplateFileError naming the file, line and column. */
  overlay(name: string): Promise<CompiledOverlay> {
    let p = this.cache.get(name);
    if (p === undefined) {
      p = this.compile(name);
      this.cache.set(name, p);
    }
    return p;
  }

  private async compile(name: string): Promise<CompiledOverlay> {
    const info = await this.store.find(name);
    const entries = await this.store.walk(info);
    const templates = new Map<string, CompiledTemplate>();
    const files = new Map<string, Buffer>();
    let readsServer = false;
    let readsAllNodes = false;
    const nodeIndependent = new Set<string>();
    const allNodesRefs = new Set<string>();
    for (const e of entries) {
      if (e.type === 'other') {
        throw new WwError('WW_ERR_OVERLAY_FILE', `overlay ${name}: ${e.path} is a ${e.kind}: only files, directories and symlinks can be in an overlay`);
      }
      if (e.type === 'file' && !e.path.endsWith('.ww')) files.set(e.path, await readFile(join(info.root, e.path)));
      if (e.type !== 'file' || !e.path.endsWith('.ww')) continue;
      const source = join(info.root, e.path);
      const t = compileTemplate({ overlay: name, path: e.path, source }, decodeGoString(await readFile(source)), this.env);
      templates.set(e.path, t);
      const refs = templateReferences(t.template);
      const tops = refs.paths.map((p) => topName(p));
      if (refs.wholeData || tops.includes('AllNodes')) readsAllNodes = true;
      if (refs.wholeData || tops.some((t2) => SERVER_FIELDS.has(t2))) readsServer = true;
      if (!refs.wholeData && tops.every((t2) => t2 === 'AllNodes' || SERVER_FIELDS.has(t2))) nodeIndependent.add(e.path);
      if (refs.wholeData) allNodesRefs.add('*');
      for (const p of refs.paths) {
        if (p === '.AllNodes') continue;
        if (p.startsWith('.AllNodes[].')) allNodesRefs.add(p.slice('.AllNodes[].'.length));
        else if (p.startsWith('.AllNodes')) allNodesRefs.add('*'); // indexed or passed whole: every field counts
      }
    }
    this.log?.debug(`overlay ${name}: ${entries.length} entries, ${templates.size} templates`);
    return { info, entries, templates, files, nodeIndependent, allNodesRefs: [...allNodesRefs].sort(), digest: overlayDigest(info, entries), readsServer, readsAllNodes };
  }
}
