/**
 * Image tarballs: an `oci-archive` (an OCI image layout in a tar:
 * `oci-layout`, `index.json`, `blobs/<alg>/<hex>`) or a `docker-archive`
 * (`docker save` / skopeo: `manifest.json`, a config and layer tars). The
 * kind is found from the members, so a plain path works for both.
 *
 * One pass over the tar: small metadata members are kept in memory, every
 * other member goes into the blob cache by digest, never to a path named by
 * the archive. OCI blobs are verified against their names and descriptor
 * sizes, docker-archive members are hashed and then checked against what
 * refers to them (config digest in its name, layers against the config's
 * diff_ids, here or while unpacking when a layer is compressed).
 */
import { createReadStream } from 'node:fs';
import { decompressAuto, isCpioError, sanitizeEntryName } from '@warewulf/cpio';
import { z } from 'zod';
import type { BlobStore } from './blob-store.js';
import { digestOf, parseDigest, verifyDigest, type Digest } from './digest.js';
import { OciError, abortError } from './errors.js';
import type { LayerRef, ProgressEvent, ResolvedImage } from './image.js';
import { readTar } from './tar-read.js';
import { MediaType, checkLayerMediaType, parseImageConfig, parseManifestOrIndex, selectPlatform, type Descriptor, type ImageIndex, type Platform } from './manifest.js';

export interface ArchiveOptions {
  /** `oci-archive:PATH:REF` / `docker-archive:PATH:REF`: which image of a multi-image archive. */
  ref?: string | undefined;
  /** Insist on one kind (from an explicit transport); default: detect. */
  kind?: 'oci-archive' | 'docker-archive' | undefined;
  platform: Platform;
  signal?: AbortSignal | undefined;
  onProgress?: ((e: ProgressEvent) => void) | undefined;
}

/** Members up to this size that are not OCI blobs are kept in memory (manifests, configs, VERSION, json). */
const SMALL = 1024 * 1024;
const REF_NAME = 'org.opencontainers.image.ref.name';

interface Member {
  digest: Digest;
  size: number;
}

const dockerManifestSchema = z.array(
  z.looseObject({
    Config: z.string(),
    RepoTags: z.array(z.string()).nullish(),
    Layers: z.array(z.string()),
  }),
);

/**
 * Read an image archive into `store` and describe the image in it.
 * Throws OCI_ERR_ARCHIVE (not an image archive, a member missing, several
 * images and no ref), OCI_ERR_DIGEST_MISMATCH, OCI_ERR_MANIFEST, OCI_ERR_PLATFORM.
 */
export async function readImageArchive(file: string, store: BlobStore, opts: ArchiveOptions): Promise<ResolvedImage> {
  const small = new Map<string, Buffer>();
  const members = new Map<string, Member>();
  const source = `${opts.kind ?? 'archive'}:${file}${opts.ref ? `:${opts.ref}` : ''}`;
  let progress = 0;

  try {
    for await (const entry of readTar(decompressAuto(createReadStream(file, { highWaterMark: 1024 * 1024 })))) {
      if (opts.signal?.aborted) throw abortError(opts.signal);
      const h = entry.header;
      if (h.type !== 'file' && h.type !== 'contiguous-file') continue;
      let name: string;
      try {
        name = sanitizeEntryName(h.name);
      } catch (err) {
        if (isCpioError(err)) throw new OciError('OCI_ERR_ARCHIVE', `${source}: member ${JSON.stringify(h.name)} refused: ${err.message}`, { entry: h.name });
        throw err;
      }
      const blob = /^blobs\/(sha256|sha512)\/([a-f0-9]+)$/.exec(name);
      if (blob) {
        const digest = parseDigest(`${blob[1]}:${blob[2]}`, `${source}: member ${name}`);
        const size = h.size ?? 0;
        if (!(await store.has(digest, size))) {
          await store.put(digest, entry, { size, signal: opts.signal, what: `${source}: ${name}` });
        }
        members.set(name, { digest, size });
      } else if ((h.size ?? 0) <= SMALL) {
        const chunks: Buffer[] = [];
        for await (const c of entry) chunks.push(c as Buffer);
        small.set(name, Buffer.concat(chunks));
      } else {
        members.set(name, await store.putComputed(entry, { signal: opts.signal, what: `${source}: ${name}` }));
      }
      progress += h.size ?? 0;
      opts.onProgress?.({ kind: 'download', layer: 0, layers: 0, digest: '' as Digest, bytes: progress, total: undefined, cached: false, done: false });
    }
  } catch (err) {
    throw archiveError(err, source);
  }

  const isOci = small.has('index.json') && small.has('oci-layout');
  const isDocker = small.has('manifest.json');
  if (opts.kind === 'oci-archive' && !isOci) throw new OciError('OCI_ERR_ARCHIVE', `${source}: not an OCI image layout (no oci-layout and index.json)`);
  if (opts.kind === 'docker-archive' && !isDocker) throw new OciError('OCI_ERR_ARCHIVE', `${source}: not a docker-archive (no manifest.json)`);
  if (isOci && opts.kind !== 'docker-archive') return resolveOci(small, store, source, opts);
  if (isDocker) return resolveDocker(small, members, store, source, opts);
  throw new OciError('OCI_ERR_ARCHIVE', `${source}: not an image archive (neither an OCI layout with index.json nor a docker-archive with manifest.json)`);
}

function archiveError(err: unknown, source: string): unknown {
  if (err instanceof OciError) return err;
  if (isCpioError(err)) return new OciError('OCI_ERR_ARCHIVE', `${source}: ${err.message}`, { cause: err });
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') return new OciError('OCI_ERR_ARCHIVE', `${source}: ${(err as Error).message}`, { cause: err });
  if (!code) return new OciError('OCI_ERR_ARCHIVE', `${source}: not a valid tar archive: ${(err as Error).message}`, { cause: err });
  return err;
}

async function blobBytes(store: BlobStore, d: Descriptor, source: string, what: string): Promise<Buffer> {
  if (!(await store.has(d.digest, d.size))) {
    throw new OciError('OCI_ERR_ARCHIVE', `${source}: ${what} ${d.digest} (${d.size} bytes) is missing from the archive`, { entry: d.digest });
  }
  return store.readBytes(d.digest, `${source}: ${what}`);
}

async function resolveOci(small: Map<string, Buffer>, store: BlobStore, source: string, opts: ArchiveOptions): Promise<ResolvedImage> {
  const indexData = small.get('index.json')!;
  const index = parseManifestOrIndex(indexData, MediaType.ociIndex, `${source}: index.json`);
  if (index.kind !== 'index') throw new OciError('OCI_ERR_ARCHIVE', `${source}: index.json is not an image index`);
  let chosen: Descriptor;
  if (opts.ref !== undefined) {
    const hits = index.manifests.filter((d) => d.annotations?.[REF_NAME] === opts.ref || d.annotations?.['io.containerd.image.name']?.endsWith(`:${opts.ref}`));
    if (hits.length === 0) {
      const refs = index.manifests.map((d) => d.annotations?.[REF_NAME]).filter(Boolean);
      throw new OciError('OCI_ERR_NOT_FOUND', `${source}: no image with reference ${JSON.stringify(opts.ref)} (the archive has: ${refs.join(', ') || 'no named images'})`);
    }
    chosen = hits.length === 1 ? hits[0]! : selectPlatform({ ...index, manifests: hits }, opts.platform, source);
  } else if (index.manifests.length === 1) {
    chosen = index.manifests[0]!;
  } else if (index.manifests.every((d) => d.platform)) {
    chosen = selectPlatform(index, opts.platform, source);
  } else {
    const refs = index.manifests.map((d) => d.annotations?.[REF_NAME] ?? d.digest);
    throw new OciError('OCI_ERR_ARCHIVE', `${source}: the archive holds ${index.manifests.length} images; name one (oci-archive:PATH:REF) of: ${refs.join(', ')}`);
  }
  const id = chosen.digest;
  let platform = chosen.platform;
  let m = parseManifestOrIndex(await blobBytes(store, chosen, source, 'manifest'), chosen.mediaType, `${source}: manifest ${chosen.digest}`);
  let manifestDigest = chosen.digest;
  if (m.kind === 'index') {
    const d = selectPlatform(m as ImageIndex, opts.platform, source);
    platform = d.platform;
    manifestDigest = d.digest;
    m = parseManifestOrIndex(await blobBytes(store, d, source, 'manifest'), d.mediaType, `${source}: manifest ${d.digest}`);
    if (m.kind !== 'manifest') throw new OciError('OCI_ERR_MANIFEST', `${source}: nested indexes are not supported`);
  }
  const manifest = m;
  manifest.layers.forEach((l, i) => checkLayerMediaType(l, `${source}, layer ${i + 1}`));
  const config = parseImageConfig(await blobBytes(store, manifest.config, source, 'config'), `${source}: config`);
  if (config.diffIds.length > 0 && config.diffIds.length !== manifest.layers.length) {
    throw new OciError('OCI_ERR_MANIFEST', `${source}: the config lists ${config.diffIds.length} layers (diff_ids), the manifest ${manifest.layers.length}`);
  }
  for (const [i, l] of manifest.layers.entries()) {
    if (!(await store.has(l.digest, l.size))) throw new OciError('OCI_ERR_ARCHIVE', `${source}: layer ${i + 1} ${l.digest} is missing from the archive`, { entry: l.digest });
  }
  const layers: LayerRef[] = manifest.layers.map((d, i) => ({ digest: d.digest, size: d.size, mediaType: d.mediaType, diffId: config.diffIds[i] }));
  return { source, id, manifestDigest, configDigest: manifest.config.digest, config, platform, layers };
}

async function resolveDocker(small: Map<string, Buffer>, members: Map<string, Member>, store: BlobStore, source: string, opts: ArchiveOptions): Promise<ResolvedImage> {
  const raw = small.get('manifest.json')!;
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new OciError('OCI_ERR_ARCHIVE', `${source}: manifest.json is not valid JSON: ${(err as Error).message}`);
  }
  const r = dockerManifestSchema.safeParse(json);
  if (!r.success) throw new OciError('OCI_ERR_ARCHIVE', `${source}: manifest.json: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const images = r.data;
  const norm = (t: string): string => t.replace(/^(docker\.io|index\.docker\.io)\/(library\/)?/, '').replace(/^[^/:]+$/, '$&:latest');
  let img = images[0];
  if (opts.ref !== undefined) {
    img = images.find((i) => (i.RepoTags ?? []).some((t) => t === opts.ref || norm(t) === norm(opts.ref!)));
    if (!img) throw new OciError('OCI_ERR_NOT_FOUND', `${source}: no image tagged ${JSON.stringify(opts.ref)} (the archive has: ${images.flatMap((i) => i.RepoTags ?? []).join(', ') || 'untagged images'})`);
  } else if (images.length !== 1) {
    throw new OciError('OCI_ERR_ARCHIVE', `${source}: the archive holds ${images.length} images; name one (docker-archive:PATH:TAG) of: ${images.flatMap((i) => i.RepoTags ?? []).join(', ')}`);
  }
  if (!img) throw new OciError('OCI_ERR_ARCHIVE', `${source}: manifest.json lists no image`);

  const member = async (name: string, what: string): Promise<Member> => {
    const key = name.replace(/^\.\//, '');
    const m = members.get(key);
    if (m) return m;
    const data = small.get(key);
    if (!data) throw new OciError('OCI_ERR_ARCHIVE', `${source}: ${what} ${JSON.stringify(name)} is missing from the archive`, { entry: name });
    const digest = digestOf(data);
    await store.putBytes(digest, data, `${source}: ${name}`);
    const found = { digest, size: data.length };
    members.set(key, found);
    return found;
  };

  const cfg = await member(img.Config, 'config');
  // the config is named after its digest (`<hex>.json` or `blobs/sha256/<hex>`): check it
  const named = /(?:^|\/)([a-f0-9]{64})(?:\.json)?$/.exec(img.Config);
  if (named) verifyDigest(`${source}: config ${img.Config}`, `sha256:${named[1]}` as Digest, cfg.digest);
  const config = parseImageConfig(await store.readBytes(cfg.digest, `${source}: config`), `${source}: config ${img.Config}`);
  if (config.diffIds.length !== img.Layers.length) {
    throw new OciError('OCI_ERR_ARCHIVE', `${source}: the config lists ${config.diffIds.length} layers (diff_ids), manifest.json ${img.Layers.length}`);
  }
  const layers: LayerRef[] = [];
  for (const [i, name] of img.Layers.entries()) {
    const l = await member(name, `layer ${i + 1}`);
    const diffId = config.diffIds[i]!;
    // an uncompressed layer file is its diff_id; a compressed one is checked while unpacking
    const head = await firstBytes(store, l.digest);
    const compressed = (head[0] === 0x1f && head[1] === 0x8b) || (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd);
    if (!compressed) verifyDigest(`${source}: layer ${i + 1} ${name}`, diffId, l.digest);
    layers.push({ digest: l.digest, size: l.size, mediaType: compressed ? MediaType.dockerLayerGzip : 'application/vnd.docker.image.rootfs.diff.tar', diffId });
  }
  return { source, id: digestOf(raw), manifestDigest: digestOf(raw), configDigest: cfg.digest, config, platform: undefined, layers };
}

async function firstBytes(store: BlobStore, digest: Digest): Promise<Buffer> {
  const rs = createReadStream(store.path(digest), { start: 0, end: 3 });
  const chunks: Buffer[] = [];
  for await (const c of rs) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
