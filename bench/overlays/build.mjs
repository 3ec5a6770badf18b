#!/usr/bin/env node
// The full overlay build of issue 8, through the real `wwctl overlay build`:
// 10,000 nodes on the shipped default profile (system + runtime images).
//   1. full build (every image)                       budget 15 s
//   2. after one node changes (a field hosts does not read)   budget 1 s
//   3. after nothing changes                          budget 0.5 s
// and, reported without a budget: one node's address changes (every node's
// /etc/hosts holds it, so every image is rebuilt, as in upstream).
// Wall times of the wwctl process, beside `node -e 0` (the floor).
//
//   node bench/overlays/build.mjs [--nodes 10000] [--workers N] [--keep DIR]
// Needs `npm run build` (the wwclient binary is part of the default profile).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const wwctlBin = path.join(repo, 'packages/wwctl/bin/wwctl.js');
const arg = (n, d) => (process.argv.includes(n) ? process.argv[process.argv.indexOf(n) + 1] : d);
const N = Number(arg('--nodes', '10000'));
const WORKERS = arg('--workers', undefined);
const width = String(N).length;

const KEEP = arg('--keep', undefined); // a directory to build in and keep (for profiling)
const root = KEEP ?? mkdtempSync(path.join(tmpdir(), 'ww-bench-overlays-'));
const env = { PATH: process.env.PATH, WAREWULF_ROOT: root };
const conf = path.join(root, 'etc/warewulf');
mkdirSync(conf, { recursive: true });
// builds are what is measured: autobuild off so node set only edits nodes.conf
writeFileSync(path.join(conf, 'warewulf.conf'), 'ipaddr: 10.0.0.1\nnetmask: 255.255.0.0\nwarewulf:\n  autobuild overlays: false\n');
let text = readFileSync(path.join(repo, 'etc/warewulf/nodes.conf'), 'utf8').replace('nodes: {}\n', 'nodes:\n');
const lines = [];
for (let i = 1; i <= N; i++) {
  const a = (i >> 8) & 255;
  const b = i & 255;
  lines.push(`  n${String(i).padStart(width, '0')}:\n    network devices:\n      default:\n        device: eth0\n        hwaddr: "52:54:00:00:${a.toString(16).padStart(2, '0')}:${b.toString(16).padStart(2, '0')}"\n        ipaddr: 10.0.${a}.${b}\n`);
}
text += lines.join('');
writeFileSync(path.join(conf, 'nodes.conf'), text, { mode: 0o600 });

function wwctl(...args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [wwctlBin, ...args], { env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`wwctl ${args.join(' ')}: ${r.stderr}`);
  return { ms, out: r.stdout };
}
const floor = (() => {
  const t0 = process.hrtime.bigint();
  spawnSync(process.execPath, ['-e', '0']);
  return Number(process.hrtime.bigint() - t0) / 1e6;
})();
const build = () => wwctl('overlay', 'build', ...(WORKERS ? ['--workers', WORKERS] : []));
const report = (label, ms, budget) =>
  console.log(`${label.padEnd(46)} ${(ms / 1000).toFixed(2).padStart(7)} s${budget ? `  budget ${budget} s (${(ms / 1000 / budget).toFixed(2)}x) ${ms / 1000 <= budget ? 'OK' : 'OVER'}` : ''}`);

try {
  console.log(`${N} nodes on the shipped default profile; node -e 0: ${floor.toFixed(0)} ms; ${WORKERS ? `${WORKERS} workers` : 'workers: one per CPU'}`);
  wwctl('node', 'list'); // warm the parse cache as an admin's first command would
  const full = build();
  report('full build (every image)', full.ms, 15);
  console.log(`  ${full.out.trim()}`);
  const some = path.join(root, 'var/lib/warewulf/provision/overlays', `n${'1'.padStart(width, '0')}`);
  const sizes = readdirSync(some).map((f) => `${f} ${(statSync(path.join(some, f)).size / 1024).toFixed(0)} KiB`);
  console.log(`  one node's images: ${sizes.join(', ')}`);
  const first = `n${'1'.padStart(width, '0')}`;
  wwctl('node', 'set', '--yes', first, '--comment', 'bench');
  report('after one node changes (comment)', build().ms, 1);
  report('after nothing changes', build().ms, 0.5);
  wwctl('node', 'set', '--yes', first, '--ipaddr', '10.1.0.1');
  const hosts = build();
  report('after one address changes (all hosts files)', hosts.ms);
} finally {
  if (!KEEP) rmSync(root, { recursive: true, force: true });
}
