/**
 * One rule per kind of name, enforced on every way in (wwctl flags, node
 * add/import/edit, a hand-written nodes.conf, the REST API). Names become
 * directories (`provision/overlays/<node>/`), file names (`ifcfg-<network>`),
 * hostnames and template map keys, so a name with `/`, `..`, spaces or
 * nothing at all is refused before it can reach any of them.
 */
import { WwError } from '../errors.js';

export type NameKind = 'node' | 'profile' | 'network' | 'disk' | 'partition' | 'filesystem' | 'tag' | 'resource';

/** Hostname labels (letters, digits, `-`, and `_` as sites use it), dot separated, <= 253 characters. */
const LABEL = '[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?';
const HOSTNAME_RE = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
/** Profile, network and partition names: a word of letters, digits, `.`, `_`, `-`, `:` (not starting with `.`, `-` or `~`). */
const WORD_RE = /^[A-Za-z0-9_][A-Za-z0-9._:-]{0,127}$/;
/** Disks and file systems are named by their block device path (`/dev/vda`, `/dev/disk/by-partlabel/scratch`). */
const DEVICE_RE = /^\/[A-Za-z0-9._:+@=,-]+(?:\/[A-Za-z0-9._:+@=,-]+)*$/;
/** Tag and resource keys: any text without whitespace, control characters or `=` (tags are given as key=value). */
const KEY_RE = /^[^\s\p{Cc}=]{1,256}$/u;

const HELP: Record<NameKind, string> = {
  node: 'a hostname: letters, digits, "-" and "_" in dot-separated labels of at most 63 characters',
  profile: 'letters, digits, ".", "_", "-" and ":" (not starting with ".", "-" or "~")',
  network: 'letters, digits, ".", "_", "-" and ":" (not starting with "." or "-")',
  partition: 'letters, digits, ".", "_", "-" and ":" (not starting with "." or "-")',
  disk: 'an absolute device path such as /dev/vda',
  filesystem: 'an absolute device path such as /dev/disk/by-partlabel/scratch',
  tag: 'a key without spaces, control characters or "="',
  resource: 'a key without spaces, control characters or "="',
};

/** Why `name` is not a valid name of this kind, or undefined when it is. */
export function nameIssue(kind: NameKind, name: string): string | undefined {
  let ok: boolean;
  switch (kind) {
    case 'node':
      ok = name.length <= 253 && HOSTNAME_RE.test(name);
      break;
    case 'profile':
    case 'network':
    case 'partition':
      ok = WORD_RE.test(name);
      break;
    case 'disk':
    case 'filesystem':
      ok = name.length <= 4096 && DEVICE_RE.test(name) && !name.split('/').some((s) => s === '.' || s === '..');
      break;
    case 'tag':
    case 'resource':
      ok = KEY_RE.test(name);
      break;
  }
  if (ok) return undefined;
  return `invalid ${kind} name ${JSON.stringify(name)}: use ${HELP[kind]}`;
}

/** Throws WwError WW_ERR_INVALID_NAME (`where: message`) when the name breaks its kind's rule. */
export function checkName(kind: NameKind, name: string, where?: string): void {
  const issue = nameIssue(kind, name);
  if (issue !== undefined) throw new WwError('WW_ERR_INVALID_NAME', where === undefined ? issue : `${where}: ${issue}`);
}

/** The kind of the map keys found under a YAML key of a node (`network devices` -> network). */
export function keyKindUnder(yamlKey: string): NameKind {
  switch (yamlKey) {
    case 'network devices':
      return 'network';
    case 'disks':
      return 'disk';
    case 'partitions':
      return 'partition';
    case 'filesystems':
      return 'filesystem';
    case 'resources':
      return 'resource';
    default:
      return 'tag';
  }
}
