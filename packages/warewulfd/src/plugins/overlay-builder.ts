/**
 * Overlays built on demand (§4.5), one build per node at a time: the first
 * request for a node starts `ensureFresh`, every request for the same node
 * that arrives meanwhile waits for that same build. The build itself (and
 * the staleness check, issue 6's dependency tracking) is injected.
 */
import type { MergedNode, NodeDb } from '@warewulf/core';
import type { OverlayKind } from '@warewulf/core/provision';

export interface OverlayBuilder {
  /**
   * Make the node's `__SYSTEM__.img[.gz]` and `__RUNTIME__.img[.gz]` current:
   * build both when missing or stale (§4.5 builds both together). Resolves
   * true when it built something, false when they were fresh. Throws on a
   * build failure (the daemon answers 500, or 404 when the file is absent).
   */
  ensureFresh(node: MergedNode, kind: OverlayKind, db: NodeDb): Promise<boolean>;
}

/** The default until the overlay builder is wired: serve what exists. */
export const serveExistingOverlays: OverlayBuilder = { ensureFresh: async () => false };

export interface BuildObserver {
  /** A build finished (built or failed), with its duration in seconds. */
  onBuild(result: 'built' | 'fresh' | 'failed', seconds: number): void;
}

/** Wraps an OverlayBuilder: one build per node at a time, observed for the metrics. */
export class SingleFlightBuilder {
  private readonly inflight = new Map<string, Promise<boolean>>();

  constructor(
    private readonly builder: OverlayBuilder,
    private readonly observer: BuildObserver,
  ) {}

  /** Number of nodes with a build running now. */
  get running(): number {
    return this.inflight.size;
  }

  ensureFresh(node: MergedNode, kind: OverlayKind, db: NodeDb): Promise<boolean> {
    const running = this.inflight.get(node.id);
    if (running) return running;
    const started = process.hrtime.bigint();
    const secs = () => Number(process.hrtime.bigint() - started) / 1e9;
    const p = this.builder
      .ensureFresh(node, kind, db)
      .then(
        (built) => {
          this.observer.onBuild(built ? 'built' : 'fresh', secs());
          return built;
        },
        (err: unknown) => {
          this.observer.onBuild('failed', secs());
          throw err;
        },
      )
      .finally(() => this.inflight.delete(node.id));
    this.inflight.set(node.id, p);
    return p;
  }
}
