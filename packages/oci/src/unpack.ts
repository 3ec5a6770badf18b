/**
 * Flattening an image into a directory: its layers, read from the blob
 * cache (re-verified on the way), applied in order (spec §6.1).
 */
import type { BlobStore } from './blob-store.js';
import type { ProgressEvent, ResolvedImage } from './image.js';
import { applyLayer, type LayerWarning } from './layer.js';

export interface UnpackOptions {
  /** chown to the layers' owners (default: when root). */
  preserveOwner?: boolean;
  signal?: AbortSignal | undefined;
  onProgress?: ((e: ProgressEvent) => void) | undefined;
  onWarning?: ((w: LayerWarning) => void) | undefined;
}

export interface UnpackResult {
  entries: number;
  /** File content bytes written. */
  bytes: number;
  whiteouts: number;
}

/**
 * Apply every layer of `image` over `rootfs` (an existing directory, empty
 * for a fresh import). Throws what applyLayer throws; on failure `rootfs`
 * is partly written and the caller discards it.
 */
export async function unpackImage(image: ResolvedImage, store: BlobStore, rootfs: string, opts: UnpackOptions = {}): Promise<UnpackResult> {
  const total: UnpackResult = { entries: 0, bytes: 0, whiteouts: 0 };
  const n = image.layers.length;
  for (const [i, layer] of image.layers.entries()) {
    const what = `layer ${i + 1}/${n} ${layer.digest} of ${image.source}`;
    let bytes = 0;
    let entries = 0;
    const base = { kind: 'apply' as const, layer: i + 1, layers: n, digest: layer.digest, total: layer.size };
    const counted = (async function* () {
      for await (const c of store.read(layer.digest, { what })) {
        bytes += c.length;
        yield c;
      }
    })();
    let last = 0;
    const r = await applyLayer(rootfs, counted, {
      ...(opts.preserveOwner === undefined ? {} : { preserveOwner: opts.preserveOwner }),
      diffId: layer.diffId,
      what,
      signal: opts.signal,
      onWarning: opts.onWarning,
      onEntry: (e) => {
        entries = e;
        const now = Date.now();
        if (now - last >= 100) {
          last = now;
          opts.onProgress?.({ ...base, bytes, entries, done: false });
        }
      },
    });
    opts.onProgress?.({ ...base, bytes, entries, done: true });
    total.entries += r.entries;
    total.bytes += r.bytes;
    total.whiteouts += r.whiteouts;
  }
  return total;
}
