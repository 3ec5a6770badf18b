/**
 * @warewulf/oci: OCI images without a container runtime. Image references,
 * a registry client (anonymous, basic, bearer token; TLS verified by
 * default), a digest-verified blob cache, oci-archive and docker-archive
 * readers, and layer application into a directory with whiteouts and
 * nothing escaping the target. Knows OCI, not nodes.
 *
 * Typical use (what `wwctl image import` does through core):
 *
 *   const store = new BlobStore(`${paths.ociCacheDir}/oci`);
 *   const ref = parseImageReference(source);
 *   const image = ref.kind === 'registry'
 *     ? await pullImage(ref, store, { platform: parsePlatform(arch), credentials, insecure })
 *     : await readImageArchive(path, store, { platform, ref: ref.ref });
 *   await unpackImage(image, store, rootfsDir, { onProgress, onWarning });
 */
export { OciError, isOciError, type OciErrorCode } from './errors.js';
export { parseDigest, digestOf, digestHex, DigestCounter, type Digest, type DigestAlgorithm } from './digest.js';
export { BlobStore, type PutOptions } from './blob-store.js';
export {
  parseImageReference,
  parseRegistryReference,
  formatReference,
  defaultImageName,
  DOCKER_HUB,
  type ImageReference,
  type RegistryReference,
  type ArchiveReference,
  type PathReference,
} from './reference.js';
export {
  MediaType,
  parseManifestOrIndex,
  parseImageConfig,
  parsePlatform,
  hostPlatform,
  formatPlatform,
  selectPlatform,
  type Platform,
  type Descriptor,
  type ImageManifest,
  type ImageIndex,
  type ImageConfig,
} from './manifest.js';
export { RegistryClient, parseChallenge, type Credentials, type RegistryOptions } from './registry.js';
export { pullImage, type PullOptions } from './pull.js';
export { readImageArchive, type ArchiveOptions } from './archive.js';
export { applyLayer, type ApplyLayerOptions, type ApplyLayerResult, type LayerWarning, type LayerWarningCode } from './layer.js';
export { unpackImage, type UnpackOptions, type UnpackResult } from './unpack.js';
export type { ResolvedImage, LayerRef, ProgressEvent } from './image.js';
export { readTar, type TarEntry } from './tar-read.js';
