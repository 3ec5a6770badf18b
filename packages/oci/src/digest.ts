/**
 * Content digests (`sha256:<64 hex>`, `sha512:<128 hex>`; OCI image-spec
 * "Digests") and hashing while data streams past, so nothing is read twice.
 */
import { createHash, type Hash } from 'node:crypto';
import { OciError } from './errors.js';

export type DigestAlgorithm = 'sha256' | 'sha512';

/** A validated digest string, e.g. `sha256:e3b0c442...`. */
export type Digest = string & { readonly __digest: unique symbol };

const HEX_LEN: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };

/** Validate `s` as a digest; throws OCI_ERR_DIGEST naming `what` (e.g. "layer 2 of the manifest"). */
export function parseDigest(s: string, what = 'digest'): Digest {
  const m = /^([a-z0-9]+(?:[.+_-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/.exec(s);
  const alg = m?.[1];
  if (!m || (alg !== 'sha256' && alg !== 'sha512')) {
    throw new OciError('OCI_ERR_DIGEST', `${what}: unsupported or malformed digest ${JSON.stringify(s)} (expected sha256:<64 hex> or sha512:<128 hex>)`);
  }
  const hex = m[2]!;
  if (hex.length !== HEX_LEN[alg] || !/^[a-f0-9]+$/.test(hex)) {
    throw new OciError('OCI_ERR_DIGEST', `${what}: malformed ${alg} digest ${JSON.stringify(s)}`);
  }
  return s as Digest;
}

export function digestAlgorithm(d: Digest): DigestAlgorithm {
  return d.slice(0, d.indexOf(':')) as DigestAlgorithm;
}

export function digestHex(d: Digest): string {
  return d.slice(d.indexOf(':') + 1);
}

/** Digest of bytes in memory (manifests, configs). */
export function digestOf(data: Uint8Array | string, alg: DigestAlgorithm = 'sha256'): Digest {
  return `${alg}:${createHash(alg).update(data).digest('hex')}` as Digest;
}

/** Hashes chunks as they pass; `digest()` after the stream ended. */
export class DigestCounter {
  private readonly hash: Hash;
  bytes = 0;

  constructor(readonly algorithm: DigestAlgorithm = 'sha256') {
    this.hash = createHash(algorithm);
  }

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.bytes += chunk.byteLength;
  }

  digest(): Digest {
    return `${this.algorithm}:${this.hash.digest('hex')}` as Digest;
  }

  /** Pass `source` through, hashing every chunk. */
  async *tap(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      this.update(chunk);
      yield chunk;
    }
  }
}

/** Throws OCI_ERR_DIGEST_MISMATCH unless `actual` (and `size`, when known) match what was expected. */
export function verifyDigest(what: string, expected: Digest, actual: Digest, size?: { expected: number | undefined; actual: number }): void {
  if (expected !== actual) {
    throw new OciError('OCI_ERR_DIGEST_MISMATCH', `${what}: content does not match its digest (expected ${expected}, got ${actual})`, { entry: expected });
  }
  if (size && size.expected !== undefined && size.expected !== size.actual) {
    throw new OciError('OCI_ERR_DIGEST_MISMATCH', `${what}: size ${size.actual} differs from the descriptor's ${size.expected}`, { entry: expected });
  }
}
