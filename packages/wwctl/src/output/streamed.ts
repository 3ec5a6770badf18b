/**
 * Writes large output in small pieces and waits for the stream to drain when
 * it asks to: stdout on a pipe is asynchronous, and without this the whole of
 * `node list -a` over 50,000 nodes (~110 MB) queues in memory, where the
 * garbage collector then spends more time than the listing itself. Pieces of
 * 16 KiB fit a pipe's buffer and die young (measured at 50,000 nodes through
 * a pipe: 1 MiB pieces 2.3 s, 16 KiB 1.4 s).
 */
import type { Writer } from '../wwlog.js';

const PIECE = 16 * 1024;

interface Drainable {
  once(event: 'drain', listener: () => void): unknown;
}

function drainable(out: Writer): out is Writer & Drainable {
  return typeof (out as Partial<Drainable>).once === 'function';
}

/** Writes every string of `pieces` to `out` in order, batched to ~16 KiB; resolves once all is handed over. */
export async function writeStreamed(out: Writer, pieces: Iterable<string>): Promise<void> {
  let buf = '';
  const flush = async () => {
    const more = out.write(buf);
    buf = '';
    if (more === false && drainable(out)) await new Promise<void>((resolve) => out.once('drain', resolve));
  };
  for (const piece of pieces) {
    buf += piece;
    if (buf.length > PIECE) await flush();
  }
  if (buf.length > 0) await flush();
}
