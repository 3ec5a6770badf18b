/**
 * Manifests, indexes and image configs (OCI image-spec v1.1 and Docker
 * Image Manifest V2 Schema 2, which share one shape under other media
 * types): parsed with zod at the edge, then used as plain typed values.
 * Also the platform choice in a multi-arch index (host's, or `--platform`).
 */
import { z } from 'zod';
import { parseDigest, type Digest } from './digest.js';
import { OciError } from './errors.js';

export const MediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** What a registry is asked for: every manifest kind we can read. */
export const MANIFEST_ACCEPT = [MediaType.ociIndex, MediaType.ociManifest, MediaType.dockerList, MediaType.dockerManifest].join(', ');

const INDEX_TYPES = new Set<string>([MediaType.ociIndex, MediaType.dockerList]);
const MANIFEST_TYPES = new Set<string>([MediaType.ociManifest, MediaType.dockerManifest]);

export interface Platform {
  os: string;
  architecture: string;
  variant?: string | undefined;
}

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  platform?: Platform | undefined;
  annotations?: Record<string, string> | undefined;
}

export interface ImageManifest {
  kind: 'manifest';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ImageIndex {
  kind: 'index';
  mediaType: string;
  manifests: Descriptor[];
}

/** The parts of an image config we use; the rest is kept verbatim in `raw`. */
export interface ImageConfig {
  architecture: string | undefined;
  os: string | undefined;
  variant: string | undefined;
  /** Digests of the uncompressed layer tars, in layer order. */
  diffIds: Digest[];
  raw: Record<string, unknown>;
}

const platformSchema = z.object({ os: z.string(), architecture: z.string(), variant: z.string().optional() });
const descriptorSchema = z.looseObject({
  mediaType: z.string(),
  digest: z.string(),
  size: z.number().int().nonnegative(),
  platform: platformSchema.loose().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
const manifestSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
});
const indexSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(descriptorSchema),
});
const configSchema = z.looseObject({
  architecture: z.string().optional(),
  os: z.string().optional(),
  variant: z.string().optional(),
  rootfs: z.looseObject({ type: z.string(), diff_ids: z.array(z.string()) }).optional(),
});

function parseJson(data: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
  } catch (err) {
    throw new OciError('OCI_ERR_MANIFEST', `${what} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

function issues(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.length ? i.path.join('.') : '(top)'}: ${i.message}`).join('; ');
}

function toDescriptor(d: z.infer<typeof descriptorSchema>, what: string): Descriptor {
  return {
    mediaType: d.mediaType,
    digest: parseDigest(d.digest, what),
    size: d.size,
    platform: d.platform ? { os: d.platform.os, architecture: d.platform.architecture, variant: d.platform.variant } : undefined,
    annotations: d.annotations,
  };
}

/**
 * Parse a manifest or an index. `contentType` (the registry's Content-Type or
 * the referring descriptor's mediaType) wins over the document's own
 * `mediaType`; without either, the shape decides. Docker schema 1 and unknown
 * types are refused with OCI_ERR_MANIFEST.
 */
export function parseManifestOrIndex(data: Uint8Array, contentType: string | undefined, what: string): ImageManifest | ImageIndex {
  const json = parseJson(data, what);
  const declared = typeof json === 'object' && json !== null ? (json as { mediaType?: unknown }).mediaType : undefined;
  let type = (contentType ?? '').split(';')[0]!.trim();
  if (type === '' || type === 'application/json' || type === 'application/octet-stream') type = typeof declared === 'string' ? declared : '';
  if (type.startsWith('application/vnd.docker.distribution.manifest.v1')) {
    throw new OciError('OCI_ERR_MANIFEST', `${what}: Docker schema 1 manifests are not supported (push the image again with a current tool)`);
  }
  const looksLikeIndex = typeof json === 'object' && json !== null && 'manifests' in json;
  if (INDEX_TYPES.has(type) || (type === '' && looksLikeIndex)) {
    const r = indexSchema.safeParse(json);
    if (!r.success) throw new OciError('OCI_ERR_MANIFEST', `${what}: not a valid image index: ${issues(r.error)}`);
    return {
      kind: 'index',
      mediaType: type || MediaType.ociIndex,
      manifests: r.data.manifests.map((d, i) => toDescriptor(d, `${what}, manifests[${i}]`)),
    };
  }
  if (MANIFEST_TYPES.has(type) || type === '') {
    const r = manifestSchema.safeParse(json);
    if (!r.success) throw new OciError('OCI_ERR_MANIFEST', `${what}: not a valid image manifest: ${issues(r.error)}`);
    return {
      kind: 'manifest',
      mediaType: type || MediaType.ociManifest,
      config: toDescriptor(r.data.config, `${what}, config`),
      layers: r.data.layers.map((d, i) => toDescriptor(d, `${what}, layers[${i}]`)),
    };
  }
  throw new OciError('OCI_ERR_MANIFEST', `${what}: unsupported media type ${JSON.stringify(type)}`);
}

export function parseImageConfig(data: Uint8Array, what: string): ImageConfig {
  const json = parseJson(data, what);
  const r = configSchema.safeParse(json);
  if (!r.success) throw new OciError('OCI_ERR_MANIFEST', `${what}: not a valid image config: ${issues(r.error)}`);
  return {
    architecture: r.data.architecture,
    os: r.data.os,
    variant: r.data.variant,
    diffIds: (r.data.rootfs?.diff_ids ?? []).map((d, i) => parseDigest(d, `${what}, rootfs.diff_ids[${i}]`)),
    raw: r.data as Record<string, unknown>,
  };
}

/** Layer compression from its media type: 'gzip', 'zstd', 'none', or 'detect' (unknown tar type: look at the bytes). */
export function layerCompression(mediaType: string): 'gzip' | 'zstd' | 'none' | 'detect' {
  if (mediaType.endsWith('+gzip') || mediaType.endsWith('.tar.gzip')) return 'gzip';
  if (mediaType.endsWith('+zstd')) return 'zstd';
  if (mediaType.endsWith('.tar') || mediaType.endsWith('.diff.tar')) return 'none';
  return 'detect';
}

/** Refuses descriptors that are not layers (e.g. an index passed off as a layer, or encrypted layers). */
export function checkLayerMediaType(d: Descriptor, what: string): void {
  if (/\+encrypted$/.test(d.mediaType)) throw new OciError('OCI_ERR_MANIFEST', `${what}: encrypted layers are not supported (${d.mediaType})`);
  if (!/tar/.test(d.mediaType)) throw new OciError('OCI_ERR_MANIFEST', `${what}: not a layer media type: ${d.mediaType}`);
}

const ARCH_ALIASES: Record<string, string> = {
  x86_64: 'amd64', x64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', armhf: 'arm', armel: 'arm', i386: '386', i686: '386', ia32: '386',
  ppc64el: 'ppc64le',
};

/** The platform this process runs on, in OCI's words (`process.arch` x64 -> amd64, ...). */
export function hostPlatform(): Platform {
  const byNode: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64' };
  const architecture = byNode[process.arch] ?? process.arch;
  return { os: 'linux', architecture, variant: architecture === 'arm64' ? 'v8' : undefined };
}

/**
 * `--platform` / WAREWULF_OCI_PLATFORM: `ARCH`, `OS/ARCH` or `OS/ARCH/VARIANT`;
 * common aliases (x86_64, aarch64) accepted. Empty means the host's platform.
 */
export function parsePlatform(spec: string | undefined): Platform {
  if (spec === undefined || spec.trim() === '') return hostPlatform();
  const parts = spec.trim().split('/');
  if (parts.length > 3 || parts.some((p) => p === '')) {
    throw new OciError('OCI_ERR_REFERENCE', `invalid platform ${JSON.stringify(spec)} (ARCH, OS/ARCH or OS/ARCH/VARIANT)`);
  }
  const [os, arch, variant] = parts.length === 1 ? ['linux', parts[0]!, undefined] : [parts[0]!, parts[1]!, parts[2]];
  const architecture = ARCH_ALIASES[arch.toLowerCase()] ?? arch.toLowerCase();
  return { os: os.toLowerCase(), architecture, variant };
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/**
 * The manifest of `index` for `want`: same os and architecture, and the same
 * variant when one is asked for (arm64's `v8` is the default variant).
 * Attestations (`unknown/unknown`) never match. OCI_ERR_PLATFORM lists
 * what the index offers when nothing fits.
 */
export function selectPlatform(index: ImageIndex, want: Platform, what: string): Descriptor {
  const norm = (v: string | undefined, arch: string): string => v ?? (arch === 'arm64' ? 'v8' : '');
  const candidates = index.manifests.filter((d) => d.platform && d.platform.os === want.os && d.platform.architecture === want.architecture);
  const exact = candidates.find((d) => norm(d.platform!.variant, d.platform!.architecture) === norm(want.variant, want.architecture));
  const pick = exact ?? (want.variant === undefined || want.architecture === 'arm64' ? candidates[0] : undefined);
  if (pick) return pick;
  const offered = index.manifests.filter((d) => d.platform).map((d) => formatPlatform(d.platform!));
  throw new OciError('OCI_ERR_PLATFORM', `${what}: no image for platform ${formatPlatform(want)} (the index has: ${offered.join(', ') || 'no platforms'}); choose one with --platform`);
}
