/**
 * Pulling an image from a registry into the blob cache: manifest (or index,
 * then the platform's manifest), config and layers, each verified against
 * its digest and size. What the cache already holds is not downloaded again;
 * a digest-pinned reference whose manifest is cached needs no network for
 * the manifest either.
 */
import type { BlobStore } from './blob-store.js';
import type { Digest } from './digest.js';
import { OciError } from './errors.js';
import type { LayerRef, ProgressEvent, ResolvedImage } from './image.js';
import { checkLayerMediaType, parseImageConfig, parseManifestOrIndex, selectPlatform, type Descriptor, type ImageManifest, type Platform } from './manifest.js';
import { formatReference, type RegistryReference } from './reference.js';
import { RegistryClient, type Credentials } from './registry.js';

export interface PullOptions {
  credentials?: Credentials | undefined;
  /** `--nohttps`: skip TLS verification, allow plain HTTP. */
  insecure?: boolean | undefined;
  /** Platform to pick from a multi-arch index (default: the host's). */
  platform: Platform;
  signal?: AbortSignal | undefined;
  onProgress?: ((e: ProgressEvent) => void) | undefined;
  debug?: ((msg: string) => void) | undefined;
  /** Parallel blob downloads (default 3). */
  concurrency?: number;
}

/** Run `fn` over `items` with at most `n` at a time; the first failure wins. */
export async function mapLimit<T, R>(items: readonly T[], n: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
  return out;
}

/**
 * Resolve `ref` on its registry and bring every blob into `store`.
 * Throws OciError: OCI_ERR_AUTH, OCI_ERR_NOT_FOUND, OCI_ERR_DIGEST_MISMATCH,
 * OCI_ERR_PLATFORM, OCI_ERR_MANIFEST, OCI_ERR_NETWORK, OCI_ERR_TLS, ...
 */
export async function pullImage(ref: RegistryReference, store: BlobStore, opts: PullOptions): Promise<ResolvedImage> {
  const source = formatReference(ref);
  const client = new RegistryClient(ref.registry, {
    credentials: opts.credentials,
    insecure: opts.insecure,
    signal: opts.signal,
    debug: opts.debug,
  });
  try {
    const manifestBytes = async (reference: string, descriptor?: Descriptor): Promise<{ data: Buffer; contentType: string | undefined; digest: Digest }> => {
      const pinned = descriptor?.digest ?? (reference.includes(':') ? (reference as Digest) : undefined);
      if (pinned && (await store.has(pinned))) {
        const data = await store.readBytes(pinned, `manifest ${pinned}`);
        return { data, contentType: descriptor?.mediaType, digest: pinned };
      }
      const m = await client.getManifest(ref.repository, reference);
      if (descriptor && descriptor.size !== m.data.length) {
        throw new OciError('OCI_ERR_DIGEST_MISMATCH', `manifest ${descriptor.digest}: ${m.data.length} bytes, the index says ${descriptor.size}`);
      }
      await store.putBytes(m.digest, m.data, `manifest ${m.digest}`);
      return m;
    };

    const top = await manifestBytes(ref.digest ?? ref.tag ?? 'latest');
    const parsed = parseManifestOrIndex(top.data, top.contentType, `manifest of ${source}`);
    let manifest: ImageManifest;
    let manifestDigest = top.digest;
    let platform: Platform | undefined;
    if (parsed.kind === 'index') {
      const d = selectPlatform(parsed, opts.platform, source);
      platform = d.platform;
      const m = await manifestBytes(d.digest, d);
      const inner = parseManifestOrIndex(m.data, d.mediaType, `manifest ${d.digest} of ${source}`);
      if (inner.kind !== 'manifest') throw new OciError('OCI_ERR_MANIFEST', `${source}: nested indexes are not supported (${d.digest})`);
      manifest = inner;
      manifestDigest = d.digest;
    } else {
      manifest = parsed;
    }
    manifest.layers.forEach((l, i) => checkLayerMediaType(l, `${source}, layer ${i + 1}`));

    const n = manifest.layers.length;
    const fetchBlob = async (d: Descriptor, layer: number): Promise<void> => {
      const base = { kind: 'download' as const, layer, layers: n, digest: d.digest, total: d.size };
      if (await store.has(d.digest, d.size)) {
        opts.onProgress?.({ ...base, bytes: d.size, cached: true, done: true });
        return;
      }
      const blob = await client.getBlob(ref.repository, d.digest);
      let bytes = 0;
      try {
        await store.put(d.digest, blob.body, {
          size: d.size,
          signal: opts.signal,
          what: `${layer === 0 ? 'config' : `layer ${layer}/${n}`} ${d.digest} of ${source}`,
          onBytes: (k) => {
            bytes += k;
            opts.onProgress?.({ ...base, bytes, cached: false, done: false });
          },
        });
      } finally {
        blob.destroy();
      }
      opts.onProgress?.({ ...base, bytes, cached: false, done: true });
    };

    await fetchBlob(manifest.config, 0);
    const config = parseImageConfig(await store.readBytes(manifest.config.digest, `config of ${source}`), `config of ${source}`);
    if (config.diffIds.length > 0 && config.diffIds.length !== n) {
      throw new OciError('OCI_ERR_MANIFEST', `${source}: the config lists ${config.diffIds.length} layers (diff_ids), the manifest ${n}`);
    }
    await mapLimit(manifest.layers, opts.concurrency ?? 3, (d, i) => fetchBlob(d, i + 1));
    const layers: LayerRef[] = manifest.layers.map((d, i) => ({ digest: d.digest, size: d.size, mediaType: d.mediaType, diffId: config.diffIds[i] }));
    return { source, id: top.digest, manifestDigest, configDigest: manifest.config.digest, config, platform, layers };
  } finally {
    await client.close();
  }
}

