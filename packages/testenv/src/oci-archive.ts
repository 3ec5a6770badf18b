/**
 * A directory as an OCI image archive (`oci-archive:` in skopeo's terms): a
 * tar of an OCI image layout (oci-layout, index.json, blobs/sha256/...)
 * with one gzip layer holding the whole tree, the image config with the
 * layer's diff_id, and a manifest named by `org.opencontainers.image.ref.name`.
 * This is what `wwctl image import` takes; the tar work is node-tar's.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, Stats } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { create, type ReadEntry } from 'tar';

export interface OciArchiveOptions {
  /** Tag recorded in index.json (default `latest`). */
  ref?: string;
  /** The image config's Cmd (default `/bin/sh`). */
  cmd?: string[];
  /** Architecture in OCI terms (default amd64). */
  architecture?: string;
}

export interface OciArchiveInfo {
  manifestDigest: string;
  configDigest: string;
  layerDigest: string;
  /** sha256 of the uncompressed layer tar (the config's rootfs.diff_ids). */
  diffId: string;
  layerSize: number;
  /** node-tar's warnings (entries it could not archive, e.g. device nodes). */
  warnings: string[];
}

const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
};

class Hasher extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    cb(null, chunk);
  }
}

async function putBlob(blobs: string, data: string | Buffer): Promise<{ digest: string; size: number }> {
  const buf = Buffer.from(data);
  const hex = createHash('sha256').update(buf).digest('hex');
  await writeFile(join(blobs, hex), buf);
  return { digest: `sha256:${hex}`, size: buf.length };
}

/** Write `rootDir` as an OCI archive at `out` (atomically: temp file + rename). */
export async function ociArchiveOfDir(rootDir: string, out: string, opts: OciArchiveOptions = {}): Promise<OciArchiveInfo> {
  const staging = await mkdtemp(join(dirname(out), '.oci-'));
  try {
    const blobs = join(staging, 'blobs', 'sha256');
    await mkdir(blobs, { recursive: true });
    const warnings: string[] = [];
    const entries = (await readdir(rootDir)).sort();
    const tarStream = create(
      {
        cwd: rootDir,
        portable: false,
        onwarn: (code: string, message: string | Error) => warnings.push(`${code}: ${String(message)}`),
        // device nodes, fifos and sockets: container runtimes and wwinit make /dev themselves (node-tar cannot pack them)
        filter: (path: string, st: Stats | ReadEntry) => {
          const keep = st instanceof Stats ? st.isFile() || st.isDirectory() || st.isSymbolicLink() : true;
          if (!keep) warnings.push(`skipped special file ${path}`);
          return keep;
        },
      },
      entries,
    );
    const raw = new Hasher();
    const gz = new Hasher();
    const layerTmp = join(blobs, 'layer.tmp');
    await pipeline(tarStream, raw, createGzip({ level: 6 }), gz, createWriteStream(layerTmp));
    const layerHex = gz.hash.digest('hex');
    await rename(layerTmp, join(blobs, layerHex));
    const diffId = `sha256:${raw.hash.digest('hex')}`;
    const layer = { mediaType: MEDIA.layer, digest: `sha256:${layerHex}`, size: gz.size };

    const config = await putBlob(
      blobs,
      JSON.stringify({
        created: new Date((await stat(rootDir)).mtimeMs).toISOString(),
        architecture: opts.architecture ?? 'amd64',
        os: 'linux',
        config: { Cmd: opts.cmd ?? ['/bin/sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
        rootfs: { type: 'layers', diff_ids: [diffId] },
        history: [{ created_by: 'warewulf-ts testenv ociArchiveOfDir' }],
      }),
    );
    const manifest = await putBlob(
      blobs,
      JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.manifest, config: { mediaType: MEDIA.config, ...config }, layers: [layer] }),
    );
    await writeFile(
      join(staging, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA.index,
        manifests: [{ mediaType: MEDIA.manifest, ...manifest, annotations: { 'org.opencontainers.image.ref.name': opts.ref ?? 'latest' } }],
      }),
    );
    await writeFile(join(staging, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    const tmp = `${out}.tmp`;
    await create({ cwd: staging, file: tmp, portable: true }, ['oci-layout', 'index.json', 'blobs']);
    await rename(tmp, out);
    return { manifestDigest: manifest.digest, configDigest: config.digest, layerDigest: layer.digest, diffId, layerSize: layer.size, warnings };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
