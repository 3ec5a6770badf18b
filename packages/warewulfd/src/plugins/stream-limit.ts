/**
 * The boot-storm bound: at most `limit` kernel/image/initramfs streams at a
 * time. A request past it waits in a FIFO queue for up to `timeoutMs`; one
 * that times out, or finds the queue full, gets 503 with a Retry-After (and
 * the boot script retries after its per-node delay). A waiter whose client
 * goes away leaves the queue at once.
 */
import { readFile, readdir } from 'node:fs/promises';

export type Release = () => void;

interface Waiter {
  grant: (r: Release | undefined) => void;
  timer: NodeJS.Timeout;
}

export interface StreamLimiterStats {
  active: number;
  queued: number;
}

/** A counting semaphore with a bounded FIFO queue and a per-waiter timeout. */
export class StreamLimiter {
  private active = 0;
  private readonly queue: Waiter[] = [];

  /**
   * @param limit concurrent streams (≥ 1)
   * @param timeoutMs how long a request may wait for a slot
   * @param maxQueue waiting requests beyond which new ones are refused at once
   */
  constructor(
    readonly limit: number,
    readonly timeoutMs: number,
    readonly maxQueue: number = limit * 16,
    private readonly onChange: (s: StreamLimiterStats) => void = () => undefined,
  ) {
    if (!(limit >= 1)) throw new RangeError('stream limit must be at least 1');
  }

  get stats(): StreamLimiterStats {
    return { active: this.active, queued: this.queue.length };
  }

  /**
   * A slot, or undefined when none came free in time (the caller answers
   * 503). `abort` fires when the client went away while waiting. The
   * release function is idempotent.
   */
  acquire(abort?: AbortSignal): Promise<Release | undefined> {
    if (this.active < this.limit && this.queue.length === 0) return Promise.resolve(this.grant());
    if (this.queue.length >= this.maxQueue || abort?.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const w: Waiter = {
        grant: resolve,
        timer: setTimeout(() => this.drop(w), this.timeoutMs),
      };
      abort?.addEventListener('abort', () => this.drop(w), { once: true });
      this.queue.push(w);
      this.onChange(this.stats);
    });
  }

  private drop(w: Waiter): void {
    const i = this.queue.indexOf(w);
    if (i < 0) return;
    this.queue.splice(i, 1);
    clearTimeout(w.timer);
    w.grant(undefined);
    this.onChange(this.stats);
  }

  private grant(): Release {
    this.active++;
    this.onChange(this.stats);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.active--;
      const next = this.queue.shift();
      if (next) {
        clearTimeout(next.timer);
        next.grant(this.grant());
      } else {
        this.onChange(this.stats);
      }
    };
  }
}

/** One stream per 40 Mb/s of link: a node's kernel+image at ≥ 5 MB/s each keeps the link full without thrashing the disk cache. */
const MBPS_PER_STREAM = 40;
const MIN_STREAMS = 64;
const FALLBACK_STREAMS = 256;

/**
 * The default `stream limit`: sized to the fastest network link of the
 * machine (/sys/class/net/<dev>/speed, in Mb/s), at least 64; 256 when no
 * link reports a speed (virtual NICs, containers).
 */
export async function linkSizedStreamLimit(sysNet = '/sys/class/net'): Promise<number> {
  let best = 0;
  for (const dev of await readdir(sysNet).catch(() => [] as string[])) {
    if (dev === 'lo') continue;
    const speed = Number((await readFile(`${sysNet}/${dev}/speed`, 'utf8').catch(() => '')).trim());
    if (Number.isFinite(speed) && speed > best) best = speed;
  }
  return best > 0 ? Math.max(MIN_STREAMS, Math.floor(best / MBPS_PER_STREAM)) : FALLBACK_STREAMS;
}
