/**
 * Tar entries as an async iteration (tar-stream does the format): bytes are
 * fed with backpressure, each entry's body must be consumed or is skipped
 * when the loop moves on, and a failure of the byte source (a digest that did
 * not verify, a read error) is what the loop throws, not the parser's
 * follow-up complaint about a cut stream.
 */
import * as tarStream from 'tar-stream';

/** A tar entry: its bytes (iterate them or leave them) and its header. */
export type TarEntry = AsyncIterable<Buffer> & { header: tarStream.Header; resume(): unknown };

export async function* readTar(source: AsyncIterable<Uint8Array>): AsyncGenerator<TarEntry> {
  const extract = tarStream.extract();
  let feedError: unknown;
  const feeding = (async () => {
    try {
      for await (const chunk of source) {
        if (!extract.write(chunk)) await new Promise<void>((resolve) => extract.once('drain', () => resolve()));
      }
      extract.end(undefined);
    } catch (err) {
      feedError = err;
      extract.destroy(err as Error);
    }
  })();
  let completed = false;
  try {
    for await (const entry of extract as unknown as AsyncIterable<TarEntry>) {
      try {
        yield entry;
      } finally {
        entry.resume();
      }
    }
    completed = true;
  } catch (err) {
    throw feedError ?? err;
  } finally {
    if (!completed) extract.destroy();
    await feeding;
  }
  if (feedError) throw feedError;
}
