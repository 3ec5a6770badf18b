/**
 * What we remember about an image so that listings and builds stay cheap:
 * the rootfs's size and newest change time (measured by a stat-only walk at
 * import and build), the last build's outputs, the import's source. Kept in
 * `<chroot>/<name>/warewulf-ts.state.json`, beside rootfs (never packed).
 * A missing or unreadable state only costs a re-measure.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../fs/atomic-write.js';

export interface TreeMeasure {
  /** Entries below the root (not counting it). */
  entries: number;
  /** Sum of regular file sizes, each inode once (bytes). */
  bytes: number;
  /** Newest ctime of the root and everything below it, in ns since the epoch (decimal string: exceeds 2^53). */
  maxCtimeNs: string;
}

const measureSchema = z.object({ entries: z.number().int(), bytes: z.number(), maxCtimeNs: z.string().regex(/^\d+$/) });
const fileSchema = z.object({ size: z.number(), mtimeMs: z.number() });
const stateSchema = z.looseObject({
  rootfs: measureSchema.extend({ measuredAt: z.string() }).optional(),
  build: z
    .object({
      source: measureSchema,
      /** Hash of the excludes in effect. */
      excludes: z.string(),
      img: fileSchema,
      imgGz: fileSchema,
      builtAt: z.string(),
      ms: z.number(),
    })
    .optional(),
  import: z.object({ source: z.string(), id: z.string().optional(), importedAt: z.string() }).optional(),
});

export type ImageState = z.infer<typeof stateSchema>;

export async function readState(file: string): Promise<ImageState> {
  try {
    const r = stateSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return r.success ? r.data : {};
  } catch {
    return {};
  }
}

export async function writeState(file: string, state: ImageState): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`, 0o644);
}

/**
 * Stat-only walk of `root` (lstat, no reads, symlinks not followed; other
 * filesystems skipped like the build does). Directories are read with a
 * bounded number in flight. `sync`: synchronous calls (no thread-pool round
 * trip per entry; blocks the event loop: for the CLI only).
 */
export async function measureTree(root: string, opts: { sync?: boolean } = {}): Promise<TreeMeasure> {
  const list = opts.sync ? async (dir: string) => readdirSync(dir) : (dir: string) => readdir(dir);
  const lstatBig = opts.sync ? async (p: string) => lstatSync(p, { bigint: true }) : (p: string) => lstat(p, { bigint: true });
  const top = await lstat(root, { bigint: true });
  const dev = top.dev;
  let max = top.ctimeNs;
  let entries = 0;
  let bytes = 0;
  const inodes = new Set<bigint>();
  const queue: string[] = [root];
  const worker = async (): Promise<void> => {
    for (let dir = queue.pop(); dir !== undefined; dir = queue.pop()) {
      let names: string[];
      try {
        names = await list(dir);
      } catch {
        continue; // vanished or unreadable: nothing to count
      }
      for (const n of names) {
        const p = join(dir, n);
        let st;
        try {
          st = await lstatBig(p);
        } catch {
          continue;
        }
        if (st.dev !== dev) continue;
        entries++;
        if (st.ctimeNs > max) max = st.ctimeNs;
        if (st.isDirectory()) queue.push(p);
        else if (st.isFile() && (st.nlink === 1n || !inodes.has(st.ino))) {
          if (st.nlink > 1n) inodes.add(st.ino);
          bytes += Number(st.size);
        }
      }
    }
  };
  // a few walkers share one queue; each ends when the queue is empty at that moment, so keep going until it stays empty
  while (queue.length > 0) await Promise.all(Array.from({ length: 8 }, worker));
  return { entries, bytes, maxCtimeNs: max.toString() };
}
