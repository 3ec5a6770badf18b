/**
 * Hot boot files in memory. In a boot storm every node fetches the same
 * kernel and image: read once into memory, each stream is one copy into the
 * socket instead of a read(2) into a fresh buffer and a write(2) out of it,
 * which roughly halves the CPU a byte costs. @fastify/send still decides
 * status and headers (Range, conditional requests, HEAD); only the body
 * comes from here. A file is cached the first time it is served, keyed by
 * path and checked against the stat send made (size, mtime, inode), so a
 * rebuilt image is never served stale. Files over `maxFile` bytes and
 * anything beyond `maxTotal` (least recently used first) stay on disk.
 */
import type { Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';

interface Entry {
  buf: Buffer;
  size: number;
  mtimeMs: number;
  ino: number;
}

const same = (e: Entry | Stats, s: Stats) => e.size === s.size && e.mtimeMs === s.mtimeMs && e.ino === s.ino;

/** Path → contents of hot boot files, LRU-bounded; see the module comment. */
export class FileCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<void>>();
  private total = 0;

  constructor(
    readonly maxFile = 512 * 1024 * 1024,
    readonly maxTotal = 1024 * 1024 * 1024,
  ) {}

  get bytes(): number {
    return this.total;
  }

  /**
   * The cached contents of `path` when they match `st`; undefined otherwise,
   * and then a load starts in the background (one per path) for the next request.
   */
  lookup(path: string, st: Stats): Buffer | undefined {
    const e = this.entries.get(path);
    if (e && same(e, st)) {
      // most recently used last
      this.entries.delete(path);
      this.entries.set(path, e);
      return e.buf;
    }
    if (e) this.drop(path);
    if (this.cacheable(st) && !this.loading.has(path)) {
      this.loading.set(path, this.load(path, st).finally(() => this.loading.delete(path)));
    }
    return undefined;
  }

  /**
   * The contents of `path` matching `st`, read into the cache first when they
   * are not there (one read per path however many requests wait: at the
   * start of a boot storm a thousand nodes ask for the same kernel at once).
   * Undefined for a file the cache does not take (empty, over `maxFile`,
   * beyond `maxTotal`) or one that changed while being read: stream it from disk.
   */
  async get(path: string, st: Stats): Promise<Buffer | undefined> {
    const hit = this.lookup(path, st);
    if (hit !== undefined || !this.cacheable(st)) return hit;
    await this.loading.get(path);
    const e = this.entries.get(path);
    return e && same(e, st) ? e.buf : undefined;
  }

  private cacheable(st: Stats): boolean {
    return st.size > 0 && st.size <= Math.min(this.maxFile, this.maxTotal);
  }

  private async load(path: string, st: Stats): Promise<void> {
    try {
      const buf = await readFile(path);
      const after = await stat(path);
      // changed while being read: keep nothing
      if (!same(st, after) || buf.length !== st.size) return;
      while (this.total + buf.length > this.maxTotal && this.entries.size > 0) this.drop(this.entries.keys().next().value as string);
      if (this.total + buf.length > this.maxTotal) return;
      this.entries.set(path, { buf, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino });
      this.total += buf.length;
    } catch {
      /* the disk path keeps working */
    }
  }

  private drop(path: string): void {
    const e = this.entries.get(path);
    if (!e) return;
    this.entries.delete(path);
    this.total -= e.buf.length;
  }
}
