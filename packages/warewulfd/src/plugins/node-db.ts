/**
 * The daemon's view of nodes.conf and warewulf.conf: one immutable snapshot
 * (NodeDb + config) behind a reference that a reload swaps whole. A request
 * takes the snapshot once at its start and keeps it, so a reload never
 * changes what a request in flight sees, and nothing is patched in place.
 */
import type { MergedNode, NodeDb, WarewulfConf } from '@warewulf/core';
import { wwboolTrue } from '@warewulf/core';

export interface Snapshot {
  readonly db: NodeDb;
  readonly conf: WarewulfConf;
  /** When it was loaded (ms since the epoch). */
  readonly loadedAt: number;
}

/**
 * Loads a fresh snapshot from disk; throws (WwError) when a file is
 * unreadable or invalid. Returns `null` when it can tell that neither file
 * changed since its last load (the watcher's echo of a write the daemon
 * already reloaded for), which keeps the current snapshot.
 */
export type SnapshotLoader = () => Promise<{ db: NodeDb; conf: WarewulfConf } | null>;

/** `loaded` is false when the loader found both files unchanged and kept the snapshot. */
export type ReloadResult = { ok: true; changed: boolean; loaded: boolean; snapshot: Snapshot } | { ok: false; error: Error; snapshot: Snapshot };

/**
 * Build the indexes a request needs before the snapshot is published, so
 * the first request after a reload does not pay for merging every node.
 */
function warm(db: NodeDb): void {
  db.byHwaddr('');
}

/** The current Snapshot and how to reload it (one load at a time, the last change always picked up). */
export class NodeRegistry {
  private snap: Snapshot;
  private reloading: Promise<ReloadResult> | undefined;
  private again = false;
  private readonly listeners: ((s: Snapshot, prev: Snapshot) => void)[] = [];

  constructor(
    initial: { db: NodeDb; conf: WarewulfConf },
    private readonly load: SnapshotLoader,
  ) {
    warm(initial.db);
    this.snap = Object.freeze({ ...initial, loadedAt: Date.now() });
  }

  /** The current snapshot; take it once per request. */
  get current(): Snapshot {
    return this.snap;
  }

  /** Called after every swap with the new and the previous snapshot. */
  onSwap(fn: (s: Snapshot, prev: Snapshot) => void): void {
    this.listeners.push(fn);
  }

  /**
   * Load both files again and swap. Concurrent calls share one load; a call
   * that arrives during a load schedules exactly one more, so the last
   * change on disk is always picked up. A failed load keeps the old snapshot.
   */
  private async swapOnce(): Promise<boolean | 'unchanged'> {
    const next = await this.load();
    if (next === null) return 'unchanged';
    warm(next.db);
    const prev = this.snap;
    const changed = next.db.revision !== prev.db.revision || JSON.stringify(next.conf.raw) !== JSON.stringify(prev.conf.raw);
    this.snap = Object.freeze({ ...next, loadedAt: Date.now() });
    for (const fn of this.listeners) fn(this.snap, prev);
    return changed;
  }

  reload(): Promise<ReloadResult> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    const run = async (): Promise<ReloadResult> => {
      try {
        let changed = false;
        let loaded = false;
        do {
          this.again = false;
          const r = await this.swapOnce();
          if (r !== 'unchanged') {
            loaded = true;
            changed ||= r;
          }
        } while (this.again);
        return { ok: true, changed, loaded, snapshot: this.snap };
      } catch (err) {
        return { ok: false, error: err as Error, snapshot: this.snap };
      } finally {
        this.reloading = undefined;
      }
    };
    this.reloading = run();
    return this.reloading;
  }
}

/**
 * The node a hardware address identifies (§4.1): discoverable nodes are not
 * in the daemon's map, so they are found only through discovery.
 */
export function nodeByHwaddr(db: NodeDb, hwaddr: string): MergedNode | undefined {
  const n = db.byHwaddr(hwaddr);
  if (n === undefined || wwboolTrue(n.fields.get('Discoverable')?.value)) return undefined;
  return n;
}
