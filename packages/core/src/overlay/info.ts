/**
 * What a template reads (§5.8): its parse trees walked with the data model,
 * every field reference (`.X.Y`, `$var.Y`, variables bound by `range`, `with`
 * and assignments) resolved to a path from the data root, with the field's
 * `node set` flag, type and help. Used by `overlay info` and, through
 * {@link templateReferences}, by the builder's dependency tracking.
 */
import {
  ActionNode, ChainNode, CommandNode, CommentNode, DotNode, FieldNode, IdentifierNode, ListNode, PipeNode,
  IfNode, RangeNode, TemplateNode, VariableNode, WithNode, type ArgNode, type Node, type Template,
} from '@warewulf/gotemplate';
import { FIELD_BY_NAME, type FieldSpec } from '../node/fields.js';

/** A type of the data model. */
interface TypeDesc {
  /** Go type label (`string`, `IP`, `[]string`, `WWbool`, `map[string]string` ...). */
  label: string;
  fields?: Record<string, Field>;
  /** Element type of a map or slice (`range`, `index`, `.key` on a map). */
  elem?: TypeDesc;
  map?: boolean;
}
interface Field {
  type: TypeDesc;
  /** Display name of the node field (FIELD_BY_NAME key) it shows. */
  spec?: string;
}

const t = (label: string, fields?: Record<string, Field>): TypeDesc => (fields ? { label, fields } : { label });
const S = t('string');
const B = t('bool');
const I = t('int');
const IPT = t('IP');
const WWB = t('WWbool', { Bool: { type: B }, BoolDefaultTrue: { type: B } });
const LIST = { label: '[]string', elem: S };
const MAPS: TypeDesc = { label: 'map[string]string', elem: S, map: true };
const f = (type: TypeDesc, spec?: string): Field => (spec ? { type, spec } : { type });

function netdev(prefix: string): TypeDesc {
  const n = (type: TypeDesc, name: string) => f(type, `${prefix}${name}`);
  return t('NetDev', {
    Type: n(S, 'Type'), OnBoot: n(WWB, 'OnBoot'), Device: n(S, 'Device'), Hwaddr: n(t('MAC'), 'Hwaddr'),
    Ipaddr: n(IPT, 'Ipaddr'), Netmask: n(IPT, 'Netmask'), Gateway: n(IPT, 'Gateway'), Ipaddr6: n(IPT, 'Ipaddr6'),
    PrefixLen6: n(S, 'PrefixLen6'), Gateway6: n(IPT, 'Gateway6'), MTU: n(S, 'MTU'),
    Tags: f({ ...MAPS }, `${prefix}Tags[]`), IpCIDR: f(S), IpCIDR6: f(S), Primary: f(B),
  });
}

const PARTITION = t('Partition', {
  Id: f(S), Number: f(S, 'Disks[].Partitions[].Number'), SizeMiB: f(S, 'Disks[].Partitions[].SizeMiB'),
  StartMiB: f(S, 'Disks[].Partitions[].StartMiB'), TypeGuid: f(S, 'Disks[].Partitions[].TypeGuid'),
  Guid: f(S, 'Disks[].Partitions[].Guid'), WipePartitionEntry: f(B, 'Disks[].Partitions[].WipePartitionEntry'),
  ShouldExist: f(B, 'Disks[].Partitions[].ShouldExist'), Resize: f(B, 'Disks[].Partitions[].Resize'),
});
const DISK = t('Disk', {
  Id: f(S), WipeTable: f(B, 'Disks[].WipeTable'),
  Partitions: f({ label: 'map[string]*Partition', elem: PARTITION, map: true }),
  PartitionList: f({ label: '[]*Partition', elem: PARTITION }),
});
const FS = t('FileSystem', {
  Id: f(S), Format: f(S, 'FileSystems[].Format'), Path: f(S, 'FileSystems[].Path'),
  WipeFileSystem: f(B, 'FileSystems[].WipeFileSystem'), Label: f(S, 'FileSystems[].Label'), Uuid: f(S, 'FileSystems[].Uuid'),
  Options: f(LIST, 'FileSystems[].Options'), MountOptions: f(S, 'FileSystems[].MountOptions'),
});

/** The node fields shared by `.` (promoted) and `.ThisNode`/`.AllNodes` elements. */
function nodeFields(): Record<string, Field> {
  return {
    Id: f(S), Hostname: f(S), Discoverable: f(WWB, 'Discoverable'), AssetKey: f(S, 'AssetKey'), Profiles: f(LIST, 'Profiles'),
    Comment: f(S, 'Comment'), ClusterName: f(S, 'ClusterName'), ImageName: f(S, 'ImageName'), Container: f(S, 'ImageName'),
    ContainerName: f(S, 'ImageName'), Ipxe: f(S, 'Ipxe'), RuntimeOverlay: f(LIST, 'RuntimeOverlay'),
    SystemOverlay: f(LIST, 'SystemOverlay'),
    Kernel: f(t('Kernel', { Version: f(S, 'Kernel.Version'), Override: f(S, 'Kernel.Version'), Args: f(LIST, 'Kernel.Args') })),
    Ipmi: f(t('Ipmi', {
      UserName: f(S, 'Ipmi.UserName'), Password: f(S, 'Ipmi.Password'), Ipaddr: f(IPT, 'Ipmi.Ipaddr'), Gateway: f(IPT, 'Ipmi.Gateway'),
      Netmask: f(IPT, 'Ipmi.Netmask'), Port: f(S, 'Ipmi.Port'), Interface: f(S, 'Ipmi.Interface'), EscapeChar: f(S, 'Ipmi.EscapeChar'),
      Write: f(WWB, 'Ipmi.Write'), Template: f(S, 'Ipmi.Template'), Tags: f({ ...MAPS }, 'Ipmi.Tags[]'),
    })),
    Init: f(S, 'Init'), Root: f(S, 'Root'),
    NetDevs: f({ label: 'map[string]*NetDev', elem: netdev('NetDevs[].'), map: true }),
    Tags: f({ ...MAPS }, 'Tags[]'), Keys: f({ ...MAPS }, 'Tags[]'), PrimaryNetDev: f(S, 'PrimaryNetDev'),
    Disks: f({ label: 'map[string]*Disk', elem: DISK, map: true }),
    FileSystems: f({ label: 'map[string]*FileSystem', elem: FS, map: true }),
    Resources: f({ label: 'map[string]interface {}', elem: t('interface {}'), map: true }),
    DiskList: f({ label: '[]*Disk', elem: DISK }), FileSystemList: f({ label: '[]*FileSystem', elem: FS }),
  };
}

const NODE = t('Node', nodeFields());

/** The top-level data object (upstream's TemplateStruct). */
export const DATA_MODEL: TypeDesc = t('TemplateStruct', {
  ...nodeFields(),
  BuildHost: f(S), BuildTime: f(S), BuildTimeUnix: f(S), BuildSource: f(S), Overlay: f(S),
  Ipaddr: f(S), Netmask: f(S), Network: f(S), IpCIDR: f(S), NetworkCIDR: f(S), Ipaddr6: f(S), PrefixLen6: f(S),
  IpCIDR6: f(S), Network6: f(S), NetworkCIDR6: f(S), Ipv6: f(B),
  Warewulf: f(t('WarewulfConf', {
    Port: f(I), TLSPort: f(I), UpdateInterval: f(I), SystemdName: f(S), Secure: f(B), SecureFiles: f(B), TLSEnabled: f(B),
    AutobuildOverlays: f(B), EnableHostOverlay: f(B), GrubBoot: f(B),
  })),
  Dhcp: f(t('DHCPConf', { Enabled: f(B), Template: f(S), RangeStart: f(S), RangeEnd: f(S), Range6Start: f(S), Range6End: f(S), SystemdName: f(S) })),
  Tftp: f(t('TFTPConf', { Enabled: f(B), TftpRoot: f(S), SystemdName: f(S), IpxeBinaries: f({ ...MAPS }) })),
  Nfs: f(t('NFSConf', {
    Enabled: f(B), SystemdName: f(S),
    ExportsExtended: f({ label: '[]*NFSExportConf', elem: t('NFSExportConf', { Path: f(S), ExportOptions: f(S) }) }),
  })),
  Ssh: f(t('SSHConf', { KeyTypes: f(LIST) })),
  Paths: f(t('BuildConfig', Object.fromEntries(
    ['Bindir', 'Sysconfdir', 'Localstatedir', 'Cachedir', 'Ipxesource', 'Srvdir', 'Firewallddir', 'Systemddir', 'Datadir',
      'WWOverlaydir', 'WWChrootdir', 'WWProvisiondir', 'WWClientdir', 'WWFilesdir'].map((k) => [k, f(S)]),
  ))),
  ThisNode: f(NODE),
  AllNodes: f({ label: '[]Node', elem: NODE }),
});

/** A reference a template makes. */
export interface Reference {
  /** From the data root: `.Ipmi.Ipaddr`, `.NetDevs[].Ipaddr` (`[]` stands for any map key or list element). */
  path: string;
  /** Resolved against the data model; undefined when it is not (a misspelling, or through a function's result). */
  type?: TypeDesc;
  field?: Field;
}

interface Scope {
  dot: { path: string; type: TypeDesc | undefined };
  vars: Map<string, { path: string; type: TypeDesc | undefined }>;
}

function step(base: { path: string; type: TypeDesc | undefined }, name: string): { path: string; type: TypeDesc | undefined; field?: Field } {
  const ty = base.type;
  if (ty?.map) return { path: `${base.path}.${name}`, type: ty.elem, field: { type: ty.elem ?? S } };
  const fld = ty?.fields?.[name];
  return fld ? { path: `${base.path}.${name}`, type: fld.type, field: fld } : { path: `${base.path}.${name}`, type: undefined };
}

/** Walk every tree of a template; `out` gets each field chain's resolution, `whole` whether the root itself escapes. */
function walk(tmpl: Template, out: Map<string, Reference>, comments: string[]): { whole: boolean } {
  let whole = false;
  const root = { path: '', type: DATA_MODEL };
  const record = (r: Reference) => {
    if (!out.has(r.path)) out.set(r.path, r);
  };
  const chain = (base: { path: string; type: TypeDesc | undefined }, idents: string[]) => {
    let cur: { path: string; type: TypeDesc | undefined; field?: Field } = base;
    for (const id of idents) {
      cur = step(cur, id);
      const r: Reference = { path: cur.path };
      if (cur.type) r.type = cur.type;
      if (cur.field) r.field = cur.field;
      record(r);
    }
    return cur;
  };
  const arg = (a: ArgNode | Node, sc: Scope, asValue: boolean): { path: string; type: TypeDesc | undefined } => {
    if (a instanceof FieldNode) return chain(sc.dot, a.ident);
    if (a instanceof VariableNode) {
      const v = sc.vars.get(a.ident[0] as string) ?? (a.ident[0] === '$' ? root : { path: a.ident[0] as string, type: undefined });
      if (a.ident.length === 1 && asValue && v.path === '') whole = true;
      return chain(v, a.rest);
    }
    if (a instanceof DotNode) {
      if (asValue && sc.dot.path === '') whole = true;
      return sc.dot;
    }
    if (a instanceof ChainNode) {
      const b = arg(a.node, sc, false);
      return chain(b, a.field);
    }
    if (a instanceof PipeNode) return pipe(a, sc);
    return { path: '?', type: undefined };
  };
  const pipe = (p: PipeNode, sc: Scope): { path: string; type: TypeDesc | undefined } => {
    let res: { path: string; type: TypeDesc | undefined } = { path: '?', type: undefined };
    p.cmds.forEach((c: CommandNode, i: number) => {
      const first = c.args[0];
      const isCall = first instanceof IdentifierNode;
      if (isCall) {
        for (const a of c.args.slice(1)) arg(a, sc, true);
        if (i > 0 && res.path === '') whole = true; // the root piped into a function
        res = { path: '?', type: undefined };
      } else if (first) {
        res = arg(first, sc, c.args.length > 1 || p.cmds.length > 1);
        for (const a of c.args.slice(1)) arg(a, sc, true);
      }
    });
    for (const d of p.decl) sc.vars.set(d.ident[0] as string, res);
    return res;
  };
  const list = (l: ListNode | null, sc: Scope) => {
    if (!l) return;
    for (const n of l.nodes) node(n, sc);
  };
  const node = (n: Node, sc: Scope): void => {
    if (n instanceof ActionNode) {
      const r = pipe(n.pipe, sc);
      if (n.pipe.decl.length === 0 && r.path === '') whole = true; // {{ . }} prints everything
    } else if (n instanceof CommentNode) comments.push(n.text);
    else if (n instanceof RangeNode) {
      const r = pipe(withoutDecl(n.pipe), sc);
      const inner: Scope = { dot: { path: `${r.path}[]`, type: r.type?.elem }, vars: new Map(sc.vars) };
      const decl = n.pipe.decl;
      if (decl.length === 2) {
        inner.vars.set(decl[0]!.ident[0] as string, { path: '?', type: r.type?.map ? S : I });
        inner.vars.set(decl[1]!.ident[0] as string, inner.dot);
      } else if (decl.length === 1) inner.vars.set(decl[0]!.ident[0] as string, inner.dot);
      list(n.list, inner);
      list(n.elseList, sc);
    } else if (n instanceof WithNode) {
      const r = pipe(n.pipe, sc);
      list(n.list, { dot: r, vars: new Map(sc.vars) });
      list(n.elseList, sc);
    } else if (n instanceof IfNode) {
      pipe(n.pipe, sc);
      list(n.list, sc);
      list(n.elseList, sc);
    } else if (n instanceof TemplateNode) {
      if (n.pipe) {
        const r = pipe(n.pipe, sc);
        if (r.path === '') whole = true;
      }
    } else if (n instanceof ListNode) list(n, sc);
  };
  for (const name of tmpl.templateNames()) {
    const tree = tmpl.tree(name);
    // a {{define}}d template's dot is whatever it is called with: unknown
    const sc: Scope = { dot: name === tmpl.name ? root : { path: '?', type: undefined }, vars: new Map([['$', root]]) };
    if (tree) list(tree.root, sc);
  }
  return { whole };
}

function withoutDecl(p: PipeNode): PipeNode {
  const q = Object.create(Object.getPrototypeOf(p) as object) as PipeNode;
  Object.assign(q, p);
  q.decl = [];
  return q;
}

/**
 * The data a template reads: the root-relative paths of its references and
 * whether it uses the whole data object (`{{ . }}`, `toJson .`), for
 * dependency tracking (e.g. `.AllNodes` means every node's change matters).
 */
export function templateReferences(tmpl: Template): { paths: string[]; wholeData: boolean } {
  const out = new Map<string, Reference>();
  const { whole } = walk(tmpl, out, []);
  return { paths: [...out.keys()].filter((p) => !p.startsWith('?')).sort(), wholeData: whole };
}

/** One row of `overlay info`. */
export interface InfoRow {
  variable: string;
  option: string;
  type: string;
  help: string;
}

const helpOf = (spec: FieldSpec) => spec.help.replace(/^Set /, '');

/** The comment actions of a template's text (the parser drops them, as Go's does by default). */
function commentsOf(text: string): string[] {
  return [...text.matchAll(/\{\{-?\s*(\/\*[\s\S]*?\*\/)\s*-?\}\}/g)].map((m) => m[1] as string);
}

/** `overlay info` (§5.8): the wwdoc lines, then the variable rows. `text` is the template's source (for its comments). */
export function templateInfo(tmpl: Template, text: string): { doc: string[]; rows: InfoRow[] } {
  const out = new Map<string, Reference>();
  const comments = commentsOf(text);
  walk(tmpl, out, []);
  const wwdoc: [string, string][] = [];
  const helps = new Map<string, string>();
  for (const c of comments) {
    const body = c.replace(/^\/\*\s*/, '').replace(/\s*\*\/$/, '');
    const m = /^(\S+?):\s*([\s\S]*)$/.exec(body);
    if (!m) continue;
    if (m[1]!.startsWith('wwdoc')) wwdoc.push([m[1]!, m[2]!]);
    else if (m[1]!.startsWith('.')) helps.set(m[1]!, m[2]!);
  }
  wwdoc.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const rows: InfoRow[] = [];
  const paths = [...out.keys()];
  for (const r of out.values()) {
    if (r.path.startsWith('?')) continue;
    const comment = helps.get(r.path);
    if (r.type === undefined) {
      if (comment !== undefined || r.path.includes('Tags')) rows.push({ variable: r.path, option: '', type: '', help: comment ?? '' });
      continue;
    }
    if (r.type.fields && !r.field?.spec) continue; // a struct on the way to a field
    if ((r.type.map || r.type.elem) && paths.some((p) => p.startsWith(`${r.path}.`) || p.startsWith(`${r.path}[]`))) continue; // traversed
    const spec = r.field?.spec ? FIELD_BY_NAME.get(r.field.spec) : undefined;
    rows.push({
      variable: r.path,
      option: spec?.flag ? `--${spec.flag}` : '',
      type: spec && !spec.tagMap ? spec.typeLabel : r.type.label,
      help: comment ?? (spec && !spec.tagMap ? helpOf(spec) : ''),
    });
  }
  for (const [path, help] of helps) if (!out.has(path)) rows.push({ variable: path, option: '', type: '', help });
  rows.sort((a, b) => (a.variable < b.variable ? -1 : a.variable > b.variable ? 1 : 0));
  return { doc: wwdoc.map(([, text]) => text), rows };
}

/** `overlay info` as text: wwdoc lines, a blank line when there were any, then the table. */

export type { TypeDesc };
