/**
 * What a pull or an archive read produces: one image for one platform,
 * every blob of it verified and in the blob cache, ready to unpack.
 */
import type { Digest } from './digest.js';
import type { ImageConfig, Platform } from './manifest.js';

export interface LayerRef {
  digest: Digest;
  size: number;
  mediaType: string;
  /** The config's diff_id for this layer (digest of the uncompressed tar), when it has one. */
  diffId: Digest | undefined;
}

export interface ResolvedImage {
  /** The source as given (for messages; never holds credentials). */
  source: string;
  /** sha256 of the manifest (or index) the reference named: upstream's image id. */
  id: Digest;
  /** Digest of the platform manifest actually unpacked. */
  manifestDigest: Digest;
  configDigest: Digest;
  config: ImageConfig;
  /** The platform chosen from an index, when there was one. */
  platform: Platform | undefined;
  layers: LayerRef[];
}

/** Progress of a pull or an unpack, for a CLI to draw (bytes and layers). */
export type ProgressEvent =
  | {
      kind: 'download';
      /** 1-based layer number (0 for the config), and the number of layers. */
      layer: number;
      layers: number;
      digest: Digest;
      bytes: number;
      total: number | undefined;
      /** Already in the blob cache: nothing downloaded. */
      cached: boolean;
      done: boolean;
    }
  | {
      kind: 'apply';
      layer: number;
      layers: number;
      digest: Digest;
      /** Compressed bytes of the layer consumed so far, and its size. */
      bytes: number;
      total: number;
      entries: number;
      done: boolean;
    };
