/**
 * Writing OCI images without a container tool: layer tars (tar-stream),
 * gzip-compressed blobs with their digests and diff_ids, an image layout
 * directory (oci-layout, index.json, blobs/sha256/...) and an oci-archive
 * (that directory in a tar). Entries are written as given, so tests can make
 * malicious layers ("../x", absolute names, links out of the root).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipParallel } from '@warewulf/cpio';
import * as tar from 'tar-stream';

export interface TarEntrySpec {
  /** Archive name, written verbatim ("etc/hosts", "../evil", "/abs"). */
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  data?: string | Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  /** Seconds since the epoch (default 1700000000). */
  mtime?: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /** PAX records, e.g. { 'SCHILY.xattr.user.test': 'v' }. */
  pax?: Record<string, string>;
}

/** A layer: a list of entries, or a function that adds entries to the pack itself (streams from a .deb). */
export type LayerSpec = TarEntrySpec[] | ((pack: tar.Pack) => Promise<void>);

export interface OciPlatform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface ImageSpec {
  layers: LayerSpec[];
  platform?: OciPlatform;
  /** Extra config fields (Cmd, Env, Labels go under `config`). */
  config?: Record<string, unknown>;
}

export interface BlobInfo {
  digest: string;
  size: number;
}

export interface LayoutResult {
  /** Digest of each image's manifest, in order. */
  manifests: BlobInfo[];
  /** The image index blob when several images were written with `index: true`. */
  index?: BlobInfo;
  /** Layer blobs per image. */
  layers: (BlobInfo & { diffId: string })[][];
}

const sha256 = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Add one entry to a pack and wait until it is written. */
export function addEntry(pack: tar.Pack, e: TarEntrySpec): Promise<void> {
  const type = e.type ?? 'file';
  const data = e.data === undefined ? Buffer.alloc(0) : Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data);
  const header: tar.Header = {
    name: e.name,
    type,
    size: type === 'file' ? data.length : 0,
    mode: e.mode ?? (type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644),
    uid: e.uid ?? 0,
    gid: e.gid ?? 0,
    uname: '',
    gname: '',
    mtime: new Date((e.mtime ?? 1_700_000_000) * 1000),
    linkname: e.linkname ?? '',
    devmajor: e.devmajor ?? 0,
    devminor: e.devminor ?? 0,
    ...(e.pax ? { pax: e.pax } : {}),
  };
  return new Promise((resolve, reject) => {
    pack.entry(header, type === 'file' ? data : undefined as unknown as Buffer, (err) => (err ? reject(err) : resolve()));
  });
}

async function fillPack(pack: tar.Pack, spec: LayerSpec): Promise<void> {
  try {
    if (typeof spec === 'function') await spec(pack);
    else for (const e of spec) await addEntry(pack, e);
    pack.finalize();
  } catch (err) {
    pack.destroy(err as Error);
  }
}

/** The uncompressed tar of a layer (small layers, tests). */
export async function layerTar(spec: LayerSpec): Promise<Buffer> {
  const pack = tar.pack();
  const filling = fillPack(pack, spec);
  const chunks: Buffer[] = [];
  for await (const c of pack as unknown as AsyncIterable<Buffer>) chunks.push(c);
  await filling;
  return Buffer.concat(chunks);
}

async function writeBlobFile(blobsDir: string, source: AsyncIterable<Uint8Array>): Promise<BlobInfo> {
  const tmp = join(blobsDir, `.tmp-${process.pid}-${Math.random().toString(16).slice(2)}`);
  const h = createHash('sha256');
  let size = 0;
  const tapped = (async function* () {
    for await (const c of source) {
      h.update(c);
      size += c.length;
      yield c;
    }
  })();
  await pipeline(Readable.from(tapped), createWriteStream(tmp));
  const digest = `sha256:${h.digest('hex')}`;
  await rename(tmp, join(blobsDir, digest.slice(7)));
  return { digest, size };
}

/** Write a layer as a blob: gzip (default) or plain tar; returns digest, size and diff_id. */
export async function writeLayerBlob(blobsDir: string, spec: LayerSpec, compression: 'gzip' | 'none' = 'gzip'): Promise<BlobInfo & { diffId: string }> {
  const pack = tar.pack();
  const filling = fillPack(pack, spec);
  const diff = createHash('sha256');
  const raw = (async function* () {
    for await (const c of pack as unknown as AsyncIterable<Buffer>) {
      diff.update(c);
      yield c;
    }
  })();
  const blob = await writeBlobFile(blobsDir, compression === 'gzip' ? gzipParallel(raw, { level: 6 }) : raw);
  await filling;
  return { ...blob, diffId: `sha256:${diff.digest('hex')}` };
}

async function writeJsonBlob(blobsDir: string, value: unknown): Promise<BlobInfo> {
  const data = Buffer.from(JSON.stringify(value));
  const digest = sha256(data);
  await writeFile(join(blobsDir, digest.slice(7)), data);
  return { digest, size: data.length };
}

/**
 * Write an OCI image layout at `dir` (created). One image, or several
 * platform images under an image index (`index: true`), tagged `ref`
 * (annotation org.opencontainers.image.ref.name).
 */
export async function writeOciLayout(
  dir: string,
  images: ImageSpec[],
  opts: { ref?: string; index?: boolean; compression?: 'gzip' | 'none' } = {},
): Promise<LayoutResult> {
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const result: LayoutResult = { manifests: [], layers: [] };
  const descriptors: Record<string, unknown>[] = [];
  for (const img of images) {
    const layers = [];
    for (const l of img.layers) layers.push(await writeLayerBlob(blobs, l, opts.compression ?? 'gzip'));
    const platform = img.platform ?? { os: 'linux', architecture: 'amd64' };
    const config = await writeJsonBlob(blobs, {
      created: '2024-01-01T00:00:00Z',
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
      config: { Cmd: ['/bin/sh'], ...(img.config ?? {}) },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'warewulf-ts testenv' })),
    });
    const layerType = opts.compression === 'none' ? 'application/vnd.oci.image.layer.v1.tar' : 'application/vnd.oci.image.layer.v1.tar+gzip';
    const manifest = await writeJsonBlob(blobs, {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size },
      layers: layers.map((l) => ({ mediaType: layerType, digest: l.digest, size: l.size })),
    });
    result.manifests.push(manifest);
    result.layers.push(layers);
    descriptors.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifest.digest, size: manifest.size, platform });
  }
  const annotations = opts.ref ? { 'org.opencontainers.image.ref.name': opts.ref } : undefined;
  let top: Record<string, unknown>[];
  if (opts.index || images.length > 1) {
    const index = await writeJsonBlob(blobs, { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: descriptors });
    result.index = index;
    top = [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest: index.digest, size: index.size, ...(annotations ? { annotations } : {}) }];
  } else {
    const { platform: _p, ...d } = descriptors[0]!;
    top = [{ ...d, ...(annotations ? { annotations } : {}) }];
  }
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: top }));
  return result;
}

/** Tar up a directory (an OCI layout) as an archive: regular files and directories, root-owned. */
export async function tarDirectory(dir: string, out: string): Promise<void> {
  const pack = tar.pack();
  const filling = (async () => {
    const walk = async (d: string): Promise<void> => {
      for (const name of (await readdir(d)).sort()) {
        const full = join(d, name);
        const st = await stat(full);
        const rel = relative(dir, full);
        if (st.isDirectory()) {
          await addEntry(pack, { name: `${rel}/`, type: 'directory' });
          await walk(full);
        } else {
          await new Promise<void>((resolve, reject) => {
            const sink = pack.entry({ name: rel, size: st.size, mode: 0o644, mtime: new Date(1_700_000_000_000) }, (err) => (err ? reject(err) : resolve()));
            pipeline(createReadStream(full), sink as unknown as NodeJS.WritableStream).catch(reject);
          });
        }
      }
    };
    try {
      await walk(dir);
      pack.finalize();
    } catch (err) {
      pack.destroy(err as Error);
    }
  })();
  await pipeline(pack as unknown as NodeJS.ReadableStream, createWriteStream(out));
  await filling;
}

/** An oci-archive at `out` holding `images` (see writeOciLayout); the layout is built in `out`.d and removed. */
export async function writeOciArchive(out: string, images: ImageSpec[], opts: { ref?: string; index?: boolean; compression?: 'gzip' | 'none' } = {}): Promise<LayoutResult> {
  const dir = `${out}.d`;
  await rm(dir, { recursive: true, force: true });
  try {
    const r = await writeOciLayout(dir, images, opts);
    await tarDirectory(dir, out);
    return r;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
