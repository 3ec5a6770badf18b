/**
 * Image sources as `wwctl image import` takes them (spec §6.1), in the
 * transport syntax of containers/image (skopeo):
 *
 *   docker://[HOST[:PORT]/]REPO[:TAG][@sha256:HEX]   a registry (Docker Hub when HOST is absent)
 *   oci-archive:PATH[:REF]                            an OCI image-layout tarball
 *   docker-archive:PATH[:REF]                         a `docker save` tarball
 *   file:///PATH, or a plain PATH                     a local file (archive kind detected) or directory
 *
 * Parsing is pure (no filesystem access); whether a plain path is a file or a
 * directory is for the caller to find out.
 */
import { posix } from 'node:path';
import { parseDigest, type Digest } from './digest.js';
import { OciError } from './errors.js';

export const DOCKER_HUB = 'registry-1.docker.io';

export interface RegistryReference {
  kind: 'registry';
  /** `host[:port]` as given (Docker Hub: registry-1.docker.io). */
  registry: string;
  /** Repository path (`library/alpine`, `warewulf/rockylinux`). */
  repository: string;
  tag: string | undefined;
  digest: Digest | undefined;
}

export interface ArchiveReference {
  kind: 'oci-archive' | 'docker-archive';
  path: string;
  /** OCI: the `org.opencontainers.image.ref.name`; docker: a RepoTags entry. */
  ref: string | undefined;
}

export interface PathReference {
  kind: 'path';
  path: string;
}

export type ImageReference = RegistryReference | ArchiveReference | PathReference;

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/** `registry/repository:tag@digest` for messages; never contains credentials (references cannot carry them). */
export function formatReference(r: ImageReference): string {
  if (r.kind === 'path') return r.path;
  if (r.kind !== 'registry') return `${r.kind}:${r.path}${r.ref ? `:${r.ref}` : ''}`;
  return `docker://${r.registry}/${r.repository}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}

/** Parse `docker://...` without the scheme. */
export function parseRegistryReference(rest: string, original = `docker://${rest}`): RegistryReference {
  const bad = (why: string): OciError => new OciError('OCI_ERR_REFERENCE', `invalid image reference ${JSON.stringify(original)}: ${why}`);
  const firstSlash = rest.indexOf('/');
  if (firstSlash > 0 && rest.slice(0, firstSlash).includes('@')) {
    // user:password@host: credentials belong in --username/--password or the environment, and are not echoed
    throw new OciError('OCI_ERR_REFERENCE', 'invalid image reference: credentials in the reference are not accepted; use --username/--password or WAREWULF_OCI_USERNAME/WAREWULF_OCI_PASSWORD');
  }
  let name = rest;
  let digest: Digest | undefined;
  const at = name.indexOf('@');
  if (at >= 0) {
    digest = parseDigest(name.slice(at + 1), `reference ${JSON.stringify(original)}`);
    name = name.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
    if (!TAG.test(tag)) throw bad(`bad tag ${JSON.stringify(tag)}`);
  }
  const parts = name.split('/');
  let registry = DOCKER_HUB;
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || /^\[.*\](:\d+)?$/.test(first))) {
    registry = first;
    parts.shift();
    if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(registry)) throw bad(`bad registry host ${JSON.stringify(registry)}`);
  }
  if (parts.length === 0 || parts.some((p) => !COMPONENT.test(p))) {
    throw bad('repository names are lowercase letters, digits and separators (. _ __ -), components joined by /');
  }
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  if (tag === undefined && digest === undefined) tag = 'latest';
  return { kind: 'registry', registry, repository: parts.join('/'), tag, digest };
}

/**
 * Parse an import SOURCE. `cwd` makes plain and archive paths absolute.
 * Throws OCI_ERR_REFERENCE for unsupported transports and malformed registry references.
 */
export function parseImageReference(source: string, cwd: string = process.cwd()): ImageReference {
  const abs = (p: string): string => posix.resolve(cwd, p);
  if (source.startsWith('docker://')) return parseRegistryReference(source.slice('docker://'.length), source);
  for (const kind of ['oci-archive', 'docker-archive'] as const) {
    if (source.startsWith(`${kind}:`)) {
      const rest = source.slice(kind.length + 1);
      if (rest === '') throw new OciError('OCI_ERR_REFERENCE', `invalid image reference ${JSON.stringify(source)}: no path`);
      // PATH[:REF] as containers/image splits it: the path ends at the first ':' (a REF may hold ':' and '/')
      const colon = rest.indexOf(':');
      const path = colon >= 0 ? rest.slice(0, colon) : rest;
      const ref = colon >= 0 ? rest.slice(colon + 1) : undefined;
      return { kind, path: abs(path), ref: ref === '' ? undefined : ref };
    }
  }
  if (source.startsWith('file://')) {
    const p = decodeURIComponent(source.slice('file://'.length));
    if (p === '') throw new OciError('OCI_ERR_REFERENCE', `invalid image reference ${JSON.stringify(source)}: no path`);
    return { kind: 'path', path: abs(p) };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//.exec(source);
  if (scheme) {
    throw new OciError('OCI_ERR_REFERENCE', `unsupported image source transport ${scheme[1]}:// in ${JSON.stringify(source)} (use docker://, oci-archive:, docker-archive:, file:// or a path)`);
  }
  if (source === '') throw new OciError('OCI_ERR_REFERENCE', 'empty image source');
  return { kind: 'path', path: abs(source) };
}

/**
 * The name upstream gives an import without one: the last path element of
 * the source (`docker://ghcr.io/warewulf/rockylinux:8` -> `rockylinux:8`).
 * A digest pin is dropped (`repo@sha256:...` -> `repo`), since `@` is not
 * allowed in image names.
 */
export function defaultImageName(source: string): string {
  let s = source.replace(/^(docker|file):\/\//, '').replace(/^(oci-archive|docker-archive):/, '');
  s = s.replace(/@[^/]*$/, '').replace(/\/+$/, '');
  return s.slice(s.lastIndexOf('/') + 1);
}
