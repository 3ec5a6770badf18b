#!/usr/bin/env node
// One timed pack of TREE into OUT with @warewulf/cpio (built dist/), written like the shell
// pipelines write (plain file, no fsync), so the comparison is like for like.
// Usage: node bench/cpio/pack-one.mjs TREE OUT [gzip|zstd|none] [level] [threads]
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { packTree } from '../../packages/cpio/dist/index.js';

const [tree, out, compression = 'gzip', level = '6', threads] = process.argv.slice(2);
const t0 = process.hrtime.bigint();
const opts = { compression, level: Number(level) };
if (threads) opts.threads = Number(threads);
const s = packTree(tree, opts);
await pipeline(s, createWriteStream(out));
const r = await s.result;
const ru = process.resourceUsage();
console.log(JSON.stringify({ ...r, wallMs: Number(process.hrtime.bigint() - t0) / 1e6, maxRssKb: ru.maxRSS }));
