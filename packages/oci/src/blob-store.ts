/**
 * The blob cache: content-addressed files `<root>/blobs/<alg>/<hex>` (the
 * OCI image-layout's blob naming). Only verified content enters it: a blob is
 * written to `<root>/tmp/<hex>.<pid>.<random>`, hashed on the way, and renamed
 * into place only when the digest (and size, when known) match. A writer
 * killed mid-way leaves a temp file that the next store on the same root
 * removes (its pid is in the name). Readers re-verify while reading, so a
 * blob damaged on disk is caught where it is used.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DigestCounter, digestAlgorithm, digestHex, parseDigest, verifyDigest, type Digest, type DigestAlgorithm } from './digest.js';
import { OciError, abortError } from './errors.js';

export interface PutOptions {
  /** Expected size in bytes (from a descriptor); a different size is a mismatch. */
  size?: number;
  /** Called with the byte count of each chunk as it is written. */
  onBytes?: (n: number) => void;
  signal?: AbortSignal;
  /** Words for error messages ("layer 2 of docker://..."). */
  what?: string;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class BlobStore {
  private readonly tmpDir: string;
  private prepared: Promise<void> | undefined;

  /** `root` is e.g. `<paths.ociCacheDir>/oci`; nothing is created until first use. */
  constructor(readonly root: string) {
    this.tmpDir = join(root, 'tmp');
  }

  /** Where the blob lives (whether or not it is there). */
  path(digest: Digest): string {
    return join(this.root, 'blobs', digestAlgorithm(digest), digestHex(digest));
  }

  /** Create the directories (0700: the cache may hold private images) and drop dead writers' temp files. */
  private prepare(): Promise<void> {
    this.prepared ??= (async () => {
      await mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
      for (const alg of ['sha256', 'sha512'] as const) await mkdir(join(this.root, 'blobs', alg), { recursive: true, mode: 0o700 });
      for (const name of await readdir(this.tmpDir)) {
        const pid = Number(name.split('.')[1]);
        if (!Number.isInteger(pid) || !pidAlive(pid)) await unlink(join(this.tmpDir, name)).catch(() => undefined);
      }
    })();
    return this.prepared;
  }

  /** Size of a cached blob, or undefined when absent. */
  async sizeOf(digest: Digest): Promise<number | undefined> {
    try {
      const st = await stat(this.path(digest));
      return st.isFile() ? st.size : undefined;
    } catch {
      return undefined;
    }
  }

  /** True when the blob is cached (with the expected size, when given). */
  async has(digest: Digest, size?: number): Promise<boolean> {
    const s = await this.sizeOf(digest);
    return s !== undefined && (size === undefined || s === size);
  }

  /**
   * Write `source` as blob `digest`: hashed while written, renamed into the
   * cache only when it verifies. Throws OCI_ERR_DIGEST_MISMATCH (nothing
   * enters the cache) or the source's error. Returns the cache path.
   */
  async put(digest: Digest, source: AsyncIterable<Uint8Array>, opts: PutOptions = {}): Promise<string> {
    const { digest: actual, tmp, bytes } = await this.writeTemp(digestAlgorithm(digest), source, opts);
    try {
      verifyDigest(opts.what ?? `blob ${digest}`, digest, actual, { expected: opts.size, actual: bytes });
      const dest = this.path(digest);
      await rename(tmp, dest);
      return dest;
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** Write content whose digest is not known beforehand (docker-archive members); returns its digest. */
  async putComputed(source: AsyncIterable<Uint8Array>, opts: PutOptions & { algorithm?: DigestAlgorithm } = {}): Promise<{ digest: Digest; size: number }> {
    const { digest, tmp, bytes } = await this.writeTemp(opts.algorithm ?? 'sha256', source, opts);
    try {
      await rename(tmp, this.path(digest));
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return { digest, size: bytes };
  }

  private async writeTemp(
    alg: DigestAlgorithm,
    source: AsyncIterable<Uint8Array>,
    opts: PutOptions,
  ): Promise<{ digest: Digest; tmp: string; bytes: number }> {
    await this.prepare();
    const tmp = join(this.tmpDir, `${randomBytes(6).toString('hex')}.${process.pid}.tmp`);
    const counter = new DigestCounter(alg);
    const fh = await open(tmp, 'wx', 0o600);
    try {
      for await (const chunk of source) {
        if (opts.signal?.aborted) throw abortError(opts.signal);
        counter.update(chunk);
        await fh.write(chunk);
        opts.onBytes?.(chunk.byteLength);
        if (opts.size !== undefined && counter.bytes > opts.size) {
          throw new OciError('OCI_ERR_DIGEST_MISMATCH', `${opts.what ?? 'blob'}: more data than the ${opts.size} bytes its descriptor declares`);
        }
      }
      await fh.sync();
    } catch (err) {
      await fh.close().catch(() => undefined);
      await rm(tmp, { force: true });
      throw err;
    }
    await fh.close();
    return { digest: counter.digest(), tmp, bytes: counter.bytes };
  }

  /**
   * Read a cached blob, hashing it on the way: the last chunk is only
   * yielded after the digest checked out, and a blob that fails is removed
   * from the cache (OCI_ERR_DIGEST_MISMATCH).
   */
  async *read(digest: Digest, opts: { what?: string } = {}): AsyncGenerator<Buffer> {
    const counter = new DigestCounter(digestAlgorithm(digest));
    let held: Buffer | undefined;
    let rs: ReadStream;
    try {
      rs = createReadStream(this.path(digest), { highWaterMark: 1024 * 1024 });
      for await (const chunk of rs as AsyncIterable<Buffer>) {
        counter.update(chunk);
        if (held) yield held;
        held = chunk;
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new OciError('OCI_ERR_NOT_FOUND', `${opts.what ?? 'blob'} ${digest} is not in the cache`, { entry: digest });
      }
      throw err;
    }
    try {
      verifyDigest(`${opts.what ?? 'cached blob'} (${this.path(digest)})`, digest, counter.digest());
    } catch (err) {
      await rm(this.path(digest), { force: true });
      throw err;
    }
    if (held) yield held;
  }

  /** A small cached blob (manifest, config) as bytes, verified. */
  async readBytes(digest: Digest, what?: string): Promise<Buffer> {
    const data = await readFile(this.path(digest)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new OciError('OCI_ERR_NOT_FOUND', `${what ?? 'blob'} ${digest} is not in the cache`, { entry: digest });
      throw err;
    });
    const counter = new DigestCounter(digestAlgorithm(digest));
    counter.update(data);
    try {
      verifyDigest(what ?? `cached blob ${digest}`, digest, counter.digest());
    } catch (err) {
      await rm(this.path(digest), { force: true });
      throw err;
    }
    return data;
  }

  /** Store bytes already in memory (a manifest fetched and verified). */
  async putBytes(digest: Digest, data: Uint8Array, what?: string): Promise<void> {
    if (await this.has(digest, data.byteLength)) return;
    await this.put(digest, (async function* () {
      yield data;
    })(), what === undefined ? {} : { what });
  }

  /** Digests of every cached blob (tests, `clean`). */
  async list(): Promise<Digest[]> {
    const out: Digest[] = [];
    for (const alg of ['sha256', 'sha512'] as const) {
      for (const hex of await readdir(join(this.root, 'blobs', alg)).catch(() => [] as string[])) {
        try {
          out.push(parseDigest(`${alg}:${hex}`));
        } catch {
          /* not ours */
        }
      }
    }
    return out;
  }

  /** Temp files currently present (tests: a failed write leaves none). */
  async tempFiles(): Promise<string[]> {
    return readdir(this.tmpDir).catch(() => [] as string[]);
  }
}
