#!/usr/bin/env node
// Generate (once; cached) a deterministic ~560 MB tree for the cpio benchmark: ~40k small
// text-like files in a deep-ish directory structure, a few hundred medium files mixing text,
// structured binary and random blocks, and a handful of large files. Compressibility is roughly
// that of a real root filesystem (gzip -6 gets about 2.5-3x).
// Usage: node bench/cpio/gen-tree.mjs [DIR]   (default .cache/cpio-bench/tree)
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync, rmSync, renameSync, openSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';

const VERSION = 'v1';
const dir = path.resolve(process.argv[2] ?? '.cache/cpio-bench/tree');
const stamp = `${dir}.stamp`;
if (existsSync(stamp) && existsSync(dir)) {
  console.log(`tree cached: ${dir}`);
  process.exit(0);
}

// xorshift32: deterministic across runs and machines
let s = 0x9e3779b9;
const rnd = () => {
  s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
  return s;
};
const WORDS = ('the of and to in is for on that by with as this from at are be or an it not which have ' +
  'kernel module config service network device driver system user group mount file path option value ' +
  'error warning info debug start stop enable disable install remove update package library include ' +
  'return static const struct int char void unsigned long if else while for switch case break default').split(' ');
const syms = 'abcdefghijklmnopqrstuvwxyz_0123456789';

function textBlock(n) {
  const parts = [];
  let len = 0;
  while (len < n) {
    const r = rnd();
    let w;
    if (r % 7 === 0) {
      w = '';
      const k = 3 + (r >>> 8) % 10;
      for (let i = 0; i < k; i++) w += syms[rnd() % syms.length];
    } else {
      w = WORDS[(r >>> 4) % WORDS.length];
    }
    const sep = r % 11 === 0 ? '\n' : r % 17 === 0 ? ' = ' : ' ';
    parts.push(w, sep);
    len += w.length + sep.length;
  }
  return Buffer.from(parts.join('')).subarray(0, n);
}
function binBlock(n) {
  // structured binary: small integers, repeated headers, some noise (like ELF/object data)
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i += 4) {
    const r = rnd();
    const v = r % 5 === 0 ? r : r % 3 === 0 ? (i & 0xffff) : (r >>> 24) & 0x1f;
    if (i + 4 <= n) b.writeUInt32LE(v >>> 0, i);
  }
  return b;
}
function randBlock(n) {
  const b = Buffer.alloc(n);
  for (let i = 0; i + 4 <= n; i += 4) b.writeUInt32LE(rnd(), i);
  return b;
}
function content(size) {
  const chunks = [];
  let left = size;
  while (left > 0) {
    const n = Math.min(left, 4096 + (rnd() % 65536));
    const k = rnd() % 10;
    chunks.push(k < 6 ? textBlock(n) : k < 9 ? binBlock(n) : randBlock(n));
    left -= n;
  }
  return Buffer.concat(chunks);
}

const tmp = `${dir}.tmp`;
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
let total = 0;
let files = 0;
const t0 = Date.now();
// small files: 40 top dirs x 25 subdirs x 40 files, 200 B .. 12 KiB
for (let a = 0; a < 40; a++) {
  for (let b = 0; b < 25; b++) {
    const d = path.join(tmp, 'usr', `pkg${a}`, `share${b}`, b % 5 === 0 ? 'deep/er/path' : '');
    mkdirSync(d, { recursive: true });
    for (let c = 0; c < 40; c++) {
      const size = 200 + (rnd() % 12000);
      const data = rnd() % 4 === 0 ? content(size) : textBlock(size);
      writeFileSync(path.join(d, `file${c}.${['txt', 'conf', 'py', 'h', 'so'][c % 5]}`), data);
      total += size;
      files++;
    }
  }
}
// medium files: 300 x 128 KiB .. 2 MiB
mkdirSync(path.join(tmp, 'lib'), { recursive: true });
for (let i = 0; i < 300; i++) {
  const size = 128 * 1024 + (rnd() % (2 * 1024 * 1024));
  writeFileSync(path.join(tmp, 'lib', `lib${i}.so.1`), content(size));
  total += size;
  files++;
}
// large files: 4 x 40 MiB, written in pieces
mkdirSync(path.join(tmp, 'big'), { recursive: true });
for (let i = 0; i < 4; i++) {
  const fd = openSync(path.join(tmp, 'big', `blob${i}.img`), 'w');
  for (let k = 0; k < 40; k++) writeSync(fd, content(1024 * 1024));
  closeSync(fd);
  total += 40 * 1024 * 1024;
  files++;
}
rmSync(dir, { recursive: true, force: true });
renameSync(tmp, dir);
writeFileSync(stamp, `${VERSION} files=${files} bytes=${total}\n`);
console.log(`generated ${dir}: ${files} files, ${(total / 1e6).toFixed(0)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
void createHash;
