/**
 * Warewulf's template functions (§5.5) over an execution context: the
 * functions are bound once, when a template file is parsed, and reach the
 * current node and output slots through `exec()`, which the renderer points
 * at the running execution (templates execute synchronously, one at a time
 * per CompiledTemplate).
 */
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { decodeGoString, encodeGoString, goFunc, goResult, StopExecution, type FuncMap } from '@warewulf/gotemplate';
import { goBase } from '@warewulf/gotemplate/sprig';
import { WwError, isErrnoCode } from '../errors.js';
import type { Logger } from '../log.js';
import { realpathInRoot, resolveInRoot, resolveUnderRoot } from './safe-path.js';
import type { NodeData, NodeInfo } from './template-data.js';

/** Where the paths a template names are resolved. */
export interface TemplateEnv {
  /** `<sysconfdir>/warewulf`: the root of relative `Include`/`IncludeBlock`/`readlink` paths. */
  confDir: string;
  /** The server's `/` for absolute paths (`Include "/root/.ssh/authorized_keys"`); default `/`. */
  serverRoot?: string;
  /** An image's rootfs directory, undefined when there is no such image (`IncludeFrom`). */
  imageRoot?: (image: string) => string | undefined;
  log?: Logger;
  /** What Sprig's `env`/`expandenv` see; default: nothing (templates should not depend on wwctl's environment). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Clock for Sprig's `now`/`date`. */
  now?: () => Date;
}

/** One output of a template (§5.6): the default slot or a `file` slot. */
export interface Slot {
  /** As the template named it (`ifcfg-default.conf`), or the template's path minus `.ww` for the default slot. */
  name: string;
  /** Relative to the output root, `/`-separated, no `..`. */
  path: string;
  kind: 'file' | 'symlink';
  parts: string[];
  target?: string;
}

/** The state of one execution. */
export interface ExecContext {
  data: NodeData;
  /** [0] is the default slot. */
  slots: Slot[];
  current: Slot;
  nobackup: boolean;
  /** Server and image files the template read (host paths), for dependency tracking. */
  reads: Set<string>;
  warnings: string[];
  /** A typed error a function raised, kept so the template error can carry its code. */
  cause?: WwError;
}

/** The template file being compiled. */
export interface TemplateSource {
  overlay: string;
  /** Relative to the overlay's rootfs, `/`-separated (`etc/hosts.ww`). */
  path: string;
  /** Absolute path on the server (`.BuildSource`). */
  source: string;
}

/** Read a text file with its single trailing newline removed, '' (and a verbose log) when unreadable. */
function readTrimmed(host: string, log: Logger | undefined, what: string): string | undefined {
  try {
    const text = decodeGoString(readFileSync(host)); // Go's Include: the file's bytes as they are
    return text.endsWith('\n') ? text.slice(0, -1) : text;
  } catch (err) {
    if (!isErrnoCode(err, 'ENOENT') && !isErrnoCode(err, 'EACCES') && !isErrnoCode(err, 'EISDIR') && !isErrnoCode(err, 'ENOTDIR')) throw err;
    log?.verbose(`${what}: could not read ${host}: ${(err as Error).message}`);
    return undefined;
  }
}

/** `systemd-escape`: `/` -> `-`, bytes outside `[A-Za-z0-9:_.]` (and a leading `.`) -> `\xNN`. */
export function systemdEscape(s: string): string {
  let out = '';
  const bytes = encodeGoString(s);
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i] as number;
    const ch = String.fromCharCode(c);
    if (c === 0x2f) out += '-';
    else if ((i === 0 && c === 0x2e) || !/[A-Za-z0-9:_.]/.test(ch) || c >= 0x80) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out;
}

/** `systemd-escape --path`: the path normalised (no duplicate, leading or trailing `/`), `/` itself is `-`. */
export function systemdEscapePath(p: string): string {
  const trimmed = p.split('/').filter((s) => s !== '' && s !== '.').join('/');
  return trimmed === '' ? '-' : systemdEscape(trimmed);
}

/** Keep the first line for each distinct value of field `index` (split by `sep`); lines without that field are kept. */
export function uniqueField(sep: string, index: number, text: string): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(sep);
    const key = index >= 0 && index < fields.length ? (fields[index] as string) : '';
    if (key === '') {
      out.push(line);
      continue;
    }
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(line);
  }
  return out.join('\n');
}

const numberOrText = (s: string): number | string => (/^[0-9]+$/.test(s) ? Number(s) : s);

/** An Ignition 3.1 storage config of the node's disks and file systems; '' when it has none (§5.5). */
export function ignitionJson(node: NodeInfo): string {
  const disks = node.DiskList().map((d) => {
    const partitions = d.PartitionList().map((p) => {
      const o: Record<string, unknown> = { label: p.Id };
      if (p.Number !== '') o['number'] = numberOrText(p.Number);
      if (p.SizeMiB !== '') o['sizeMiB'] = numberOrText(p.SizeMiB);
      if (p.StartMiB !== '') o['startMiB'] = numberOrText(p.StartMiB);
      if (p.TypeGuid !== '') o['typeGuid'] = p.TypeGuid;
      if (p.Guid !== '') o['guid'] = p.Guid;
      if (p.WipePartitionEntry) o['wipePartitionEntry'] = true;
      if (p.ShouldExist) o['shouldExist'] = true;
      if (p.Resize) o['resize'] = true;
      return o;
    });
    const o: Record<string, unknown> = { device: d.Id };
    if (partitions.length > 0) o['partitions'] = partitions;
    if (d.WipeTable) o['wipeTable'] = true;
    return o;
  });
  const filesystems = node.FileSystemList().map((f) => {
    const o: Record<string, unknown> = { device: f.Id };
    if (f.Format !== '') o['format'] = f.Format;
    if (f.Label !== '') o['label'] = f.Label;
    if (f.MountOptions !== '') o['mountOptions'] = f.MountOptions.split(/\s+/).filter((x) => x !== '');
    if (f.Options.length > 0) o['options'] = f.Options;
    if (f.Path !== '') o['path'] = f.Path;
    if (f.Uuid !== '') o['uuid'] = f.Uuid;
    if (f.WipeFileSystem) o['wipeFilesystem'] = true;
    return o;
  });
  if (disks.length === 0 && filesystems.length === 0) return '';
  const storage: Record<string, unknown> = {};
  if (disks.length > 0) storage['disks'] = disks;
  if (filesystems.length > 0) storage['filesystems'] = filesystems;
  return JSON.stringify({ ignition: { version: '3.1.0' }, storage });
}

/** Warewulf's function map for one template file; `exec()` is the running execution. */
export function warewulfFuncs(file: TemplateSource, env: TemplateEnv, exec: () => ExecContext): FuncMap {
  const serverRoot = env.serverRoot ?? '/';
  const templateDir = posix.dirname(file.path) === '.' ? '' : posix.dirname(file.path);
  /** A function body whose WwErrors are remembered, so the template error keeps their code. */
  const guard = <A extends unknown[], R>(fn: (...a: A) => R) => (...a: A): R => {
    try {
      return fn(...a);
    } catch (err) {
      if (err instanceof WwError) exec().cause = err;
      throw err;
    }
  };
  /** A server path: relative to confDir (never above it), absolute from the server root. */
  const serverPath = (path: string, what: string): string =>
    path.startsWith('/')
      ? posix.join(serverRoot, resolveUnderRoot('', path, what))
      : posix.join(env.confDir, resolveUnderRoot('', path, what));
  const softlink = (target: string): string => {
    const cur = exec().current;
    cur.kind = 'symlink';
    cur.target = target;
    return '';
  };
  return {
    Include: goFunc(['string'], guard((path: string) => {
      const host = serverPath(path, 'Include path');
      exec().reads.add(host);
      return readTrimmed(host, env.log, 'Include') ?? '';
    })),
    IncludeFrom: goFunc(['string', 'string'], guard((image: string, path: string) => {
      const x = exec();
      const root = image === '' ? undefined : env.imageRoot?.(image);
      if (root === undefined) {
        const msg = image === '' ? `IncludeFrom: no image given for ${path}` : `IncludeFrom: image ${image} does not exist`;
        x.warnings.push(msg);
        env.log?.warn(msg);
        return '';
      }
      resolveUnderRoot('', path, 'IncludeFrom path');
      const host = resolveInRoot(root, path);
      x.reads.add(host);
      const text = readTrimmed(host, env.log, 'IncludeFrom');
      if (text === undefined) {
        const msg = `IncludeFrom: ${path} not found in image ${image}`;
        x.warnings.push(msg);
        env.log?.warn(msg);
        return '';
      }
      return text;
    })),
    IncludeBlock: goFunc(['string', 'string'], guard((path: string, marker: string) => {
      const host = serverPath(path, 'IncludeBlock path');
      exec().reads.add(host);
      let text: string;
      try {
        text = decodeGoString(readFileSync(host));
      } catch (err) {
        env.log?.verbose(`IncludeBlock: could not read ${host}: ${(err as Error).message}`);
        return marker;
      }
      let out = '';
      for (const line of text.split('\n')) {
        if (line.includes(marker)) break;
        out += line + '\n';
      }
      return out + marker;
    })),
    ImportLink: goFunc(['string'], guard((path: string) => {
      exec().reads.add(serverPath(path, 'ImportLink path'));
      return softlink(realpathInRoot(serverRoot, path.startsWith('/') ? path : posix.join(posix.relative(serverRoot, env.confDir), path)));
    })),
    softlink: goFunc(['string'], guard(softlink)),
    readlink: goFunc(['string'], guard((path: string) => {
      exec().reads.add(serverPath(path, 'readlink path'));
      try {
        return realpathInRoot(serverRoot, path.startsWith('/') ? path : posix.join(posix.relative(serverRoot, env.confDir), path));
      } catch (err) {
        if (err instanceof WwError) throw err;
        return goResult('', `lstat ${path}: no such file or directory`);
      }
    })),
    file: goFunc(['string'], guard((name: string) => {
      const x = exec();
      const path = resolveUnderRoot(templateDir, name, 'file');
      if (path === '') throw new WwError('WW_ERR_PATH_ESCAPE', `file ${JSON.stringify(name)} names the output root itself`);
      const slot: Slot = { name, path, kind: 'file', parts: [] };
      x.slots.push(slot);
      x.current = slot;
      return '';
    })),
    abort: goFunc([], () => {
      throw new StopExecution('abort');
    }),
    nobackup: goFunc([], () => {
      exec().nobackup = true;
      return '';
    }),
    basename: goFunc(['string'], goBase),
    inc: goFunc(['int'], (i: number) => i + 1),
    dec: goFunc(['int'], (i: number) => i - 1),
    UniqueField: goFunc(['string', 'int', 'string'], uniqueField),
    IgnitionJson: goFunc([], () => ignitionJson(exec().data.ThisNode)),
    SystemdEscape: goFunc(['string'], systemdEscape),
    SystemdEscapePath: goFunc(['string'], systemdEscapePath),
  };
}
