/**
 * What the app is built from (buildApp's deps) and the state one daemon
 * shares between its HTTP and HTTPS listeners. Every moving part that is
 * not the HTTP contract itself is injected with a simple default, so the
 * daemon runs (and is tested) before the image and overlay modules are
 * wired: kernel, initramfs and EFI lookups, the overlay builder, ARP, the
 * clock and the TCP peer.
 */
import type { IncomingMessage } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { FastifyBaseLogger } from 'fastify';
import type { MergedNode, Paths } from '@warewulf/core';
import {
  findEfiFile, findInitramfs, findKernel, parseArpTable, type ImageFile, type KernelFile,
} from '@warewulf/core/provision';
import { DiscoveryService } from './discovery.js';
import { FileCache } from './plugins/file-cache.js';
import { Metrics } from './plugins/metrics.js';
import type { NodeRegistry, Snapshot } from './plugins/node-db.js';
import { SingleFlightBuilder, serveExistingOverlays, type OverlayBuilder } from './plugins/overlay-builder.js';
import { StatusTable } from './plugins/status.js';
import { StreamLimiter } from './plugins/stream-limit.js';
import { RenderCache, TemplateCache } from './templates.js';

export interface AppDeps {
  paths: Paths;
  /** The node database and config, swapped on reload. */
  registry: NodeRegistry;
  log: FastifyBaseLogger;
  /** The node's kernel inside its image (§6.3). Default: newest `/boot/vmlinuz-*` (or `kernel.version`'s). */
  resolveKernel?: (node: MergedNode, snap: Snapshot) => Promise<KernelFile | undefined>;
  /** The initramfs for the node's kernel (§4.5). Default: `/boot/initramfs-*`, `initrd-*`, `initrd.img-*` by version. */
  resolveInitramfs?: (node: MergedNode, kernel: KernelFile, snap: Snapshot) => Promise<ImageFile | undefined>;
  /** shim/GRUB for `/efiboot/<file>` (§6.3). */
  resolveEfiFile?: (node: MergedNode, file: string, snap: Snapshot) => Promise<ImageFile | undefined>;
  /** Default: serve what exists. */
  overlayBuilder?: OverlayBuilder;
  /** Hardware address of a peer IP (for requests without a wwid). Default: /proc/net/arp. */
  arpLookup?: (ip: string) => Promise<string | undefined>;
  /** The TCP peer of a request. Default: the socket's; tests substitute it for inject(). */
  peerOf?: (raw: IncomingMessage) => { address: string | undefined; port: number | undefined };
  /** Concurrent kernel/image streams; default warewulf.conf `stream limit` (0 there: 256). */
  streamLimit?: number;
  /** Queue wait before a 503, in ms; default warewulf.conf `stream queue timeout`. */
  streamQueueTimeoutMs?: number;
  /** Seconds a refused client is told to wait (Retry-After) at least; a random 0-4 s is added. Default 5. */
  retryAfter?: number;
  /** Unix seconds, for the status table. */
  now?: () => number;
  metrics?: Metrics;
  /** Hot boot files in memory (default: files up to 512 MiB, 1 GiB in all). */
  fileCache?: FileCache;
}

export interface DaemonEnv {
  readonly paths: Paths;
  readonly registry: NodeRegistry;
  readonly log: FastifyBaseLogger;
  readonly resolveKernel: (node: MergedNode, snap: Snapshot) => Promise<KernelFile | undefined>;
  readonly resolveInitramfs: (node: MergedNode, kernel: KernelFile, snap: Snapshot) => Promise<ImageFile | undefined>;
  readonly resolveEfiFile: (node: MergedNode, file: string, snap: Snapshot) => Promise<ImageFile | undefined>;
  readonly arpLookup: (ip: string) => Promise<string | undefined>;
  readonly peerOf: (raw: IncomingMessage) => { address: string | undefined; port: number | undefined };
  readonly retryAfter: number;
  readonly status: StatusTable;
  readonly streams: StreamLimiter;
  readonly builder: SingleFlightBuilder;
  readonly metrics: Metrics;
  readonly templates: TemplateCache;
  readonly rendered: RenderCache;
  /** Kernel/image/initramfs contents served from memory once hot. */
  readonly files: FileCache;
  readonly discovery: DiscoveryService;
}

/** Read /proc/net/arp on each call (only requests without a wwid ask). */
export async function procArpLookup(ip: string): Promise<string | undefined> {
  const text = await readFile('/proc/net/arp', 'utf8').catch(() => '');
  return parseArpTable(text).get(ip);
}

/**
 * Remember the last answer for a key for `ttlMs`: the image's directories
 * are listed once a second at most however many nodes boot from it.
 */
export function memo<A extends unknown[], R>(ttlMs: number, key: (...a: A) => string, fn: (...a: A) => Promise<R>): (...a: A) => Promise<R> {
  const cache = new Map<string, { at: number; value: Promise<R> }>();
  return (...a: A) => {
    const k = key(...a);
    const now = Date.now();
    const hit = cache.get(k);
    if (hit && now - hit.at < ttlMs) return hit.value;
    if (cache.size > 10_000) cache.clear();
    const value = fn(...a);
    cache.set(k, { at: now, value });
    value.catch(() => cache.delete(k));
    return value;
  };
}

const field = (node: MergedNode, path: string): string => {
  const v = node.fields.get(path)?.value;
  return typeof v === 'string' ? v : '';
};

/** Fill in the defaults and create the shared state. */
export function createDaemonEnv(deps: AppDeps): DaemonEnv {
  const paths = deps.paths;
  const conf = deps.registry.current.conf;
  const metrics = deps.metrics ?? new Metrics();
  const limit = deps.streamLimit ?? (conf.warewulf.streamLimit > 0 ? conf.warewulf.streamLimit : 256);
  const streams = new StreamLimiter(limit, deps.streamQueueTimeoutMs ?? conf.warewulf.streamQueueTimeout * 1000, limit * 16, (s) => {
    metrics.queueDepth.set(s.queued);
    metrics.streamsActive.set(s.active);
  });
  const status = new StatusTable(deps.registry.current.db, deps.now);
  const templates = new TemplateCache();
  deps.registry.onSwap((s) => {
    status.sync(s.db);
    templates.clear();
  });
  const builder = new SingleFlightBuilder(deps.overlayBuilder ?? serveExistingOverlays, {
    onBuild(result, seconds) {
      metrics.builds.inc({ result });
      if (result !== 'fresh') metrics.buildSeconds.observe(seconds);
    },
  });
  const resolveKernel =
    deps.resolveKernel ??
    memo(1000, (n: MergedNode) => `${field(n, 'ImageName')}\0${field(n, 'Kernel.Version')}`, (n: MergedNode) => findKernel(paths, field(n, 'ImageName'), field(n, 'Kernel.Version')));
  const resolveInitramfs =
    deps.resolveInitramfs ??
    memo(1000, (n: MergedNode, k: KernelFile) => `${field(n, 'ImageName')}\0${k.version}`, (n: MergedNode, k: KernelFile) => findInitramfs(paths, field(n, 'ImageName'), k.version));
  const resolveEfiFile = deps.resolveEfiFile ?? ((n: MergedNode, file: string) => findEfiFile(paths, field(n, 'ImageName'), file));
  const env: DaemonEnv = {
    paths,
    registry: deps.registry,
    log: deps.log,
    resolveKernel,
    resolveInitramfs,
    resolveEfiFile,
    arpLookup: deps.arpLookup ?? procArpLookup,
    peerOf: deps.peerOf ?? ((raw) => ({ address: raw.socket.remoteAddress, port: raw.socket.remotePort })),
    retryAfter: deps.retryAfter ?? 5,
    status,
    streams,
    builder,
    metrics,
    templates,
    rendered: new RenderCache(),
    files: deps.fileCache ?? new FileCache(),
    discovery: new DiscoveryService(paths, deps.registry, deps.log, metrics),
  };
  return env;
}
