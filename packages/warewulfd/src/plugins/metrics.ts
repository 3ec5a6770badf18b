/**
 * Prometheus metrics (prom-client), one registry per daemon (no global
 * default registry, so tests and the HTTP/HTTPS apps of one daemon do not
 * collide): requests and bytes per stage, refusals, overlay builds and their
 * duration, the stream queue, reloads and discoveries, plus the process
 * metrics (RSS, open file descriptors). `GET /metrics` in the text format.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type RefusalReason =
  | 'insecure_port' | 'bad_asset_key' | 'tls_required' | 'files_port' | 'files_asset_key' | 'files_unknown_node'
  | 'api_subnet' | 'api_tls' | 'api_auth';

/** The daemon's metrics in their own registry. */
export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: 'warewulfd_requests_total', help: 'Requests by stage and HTTP status', labelNames: ['stage', 'code'] as const, registers: [this.registry] });
  readonly bytes = new Counter({ name: 'warewulfd_bytes_sent_total', help: 'Body bytes sent by stage', labelNames: ['stage'] as const, registers: [this.registry] });
  readonly refusals = new Counter({ name: 'warewulfd_refusals_total', help: 'Requests refused by a security rule', labelNames: ['reason'] as const, registers: [this.registry] });
  readonly builds = new Counter({ name: 'warewulfd_overlay_builds_total', help: 'On-demand overlay builds by result', labelNames: ['result'] as const, registers: [this.registry] });
  readonly buildSeconds = new Histogram({
    name: 'warewulfd_overlay_build_duration_seconds', help: 'Duration of on-demand overlay builds',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [this.registry],
  });
  readonly queueDepth = new Gauge({ name: 'warewulfd_stream_queue_depth', help: 'Requests waiting for a stream slot', registers: [this.registry] });
  readonly streamsActive = new Gauge({ name: 'warewulfd_streams_active', help: 'Kernel/image/initramfs streams in progress', registers: [this.registry] });
  readonly busy = new Counter({ name: 'warewulfd_busy_total', help: 'Requests answered 503 because no stream slot came free', registers: [this.registry] });
  readonly reloads = new Counter({ name: 'warewulfd_reloads_total', help: 'Reloads of nodes.conf/warewulf.conf by result', labelNames: ['result'] as const, registers: [this.registry] });
  readonly discoveries = new Counter({ name: 'warewulfd_discoveries_total', help: 'Unknown hardware addresses by discovery outcome', labelNames: ['result'] as const, registers: [this.registry] });

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'warewulfd_' });
  }
}

/** `GET /metrics` in the Prometheus text format. */
export function metricsRoutes(app: FastifyInstance, metrics: Metrics): void {
  app.get('/metrics', async (_req, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
