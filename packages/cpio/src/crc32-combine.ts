/**
 * crc32_combine from zlib (the x^n mod p formulation of zlib 1.2.12+): lets each worker CRC its
 * own block and the main thread stitch the CRCs together in O(log n), instead of running a
 * second pass over every byte on the main thread.
 */
const POLY = 0xedb88320;

function multmodp(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

const X2N: number[] = (() => {
  const t: number[] = [];
  let p = 0x40000000; // x^1
  t.push(p);
  for (let n = 1; n < 32; n++) {
    p = multmodp(p, p);
    t.push(p);
  }
  return t;
})();

/** x^(n * 2^k) mod p */
function x2nmodp(n: number, k: number): number {
  let p = 0x80000000; // x^0
  while (n) {
    if (n & 1) p = multmodp(X2N[k & 31]!, p);
    n = Math.floor(n / 2);
    k++;
  }
  return p;
}

/** CRC-32 of A‖B given crc(A), crc(B) and len(B). */
export function crc32Combine(crcA: number, crcB: number, lenB: number): number {
  return (multmodp(x2nmodp(lenB, 3), crcA) ^ crcB) >>> 0;
}
