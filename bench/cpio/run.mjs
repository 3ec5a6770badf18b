#!/usr/bin/env node
// Benchmark: @warewulf/cpio (walk + newc + parallel gzip) against
//   find . | cpio -o -H newc | pigz -6     and     find . | cpio -o -H newc | gzip -6
// on the same cached tree, same level, interleaved runs (the machine is shared, so interleaving
// and medians matter more than single numbers). Needs: built packages/cpio (tsc -b), GNU cpio,
// pigz, gzip, /usr/bin/time (GNU time).
// Usage: node bench/cpio/run.mjs [--runs N] [--no-gzip] [--tree DIR]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const runs = Number(opt('--runs', '3'));
const withGzip = !args.includes('--no-gzip');
const cacheDir = path.join(repo, '.cache', 'cpio-bench');
const tree = path.resolve(opt('--tree', path.join(cacheDir, 'tree')));
const outDir = path.join(cacheDir, 'out');
mkdirSync(outDir, { recursive: true });

if (!args.includes('--tree')) execFileSync(process.execPath, [path.join(here, 'gen-tree.mjs'), tree], { stdio: 'inherit' });
const du = execFileSync('du', ['-sb', tree], { encoding: 'utf8' }).split('\t')[0];
const nfiles = execFileSync('bash', ['-c', `find "${tree}" | wc -l`], { encoding: 'utf8' }).trim();
console.log(`tree ${tree}: ${(Number(du) / 1e6).toFixed(0)} MB, ${nfiles} entries; ${runs} interleaved runs; node ${process.version}; ${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores`);

/** Run argv under GNU time; maxrss is the largest process of the command (wait4 accounting). */
function timed(argv) {
  const r = spawnSync('/usr/bin/time', ['-f', '@@TIME %e %U %S %M', ...argv], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
  const m = /@@TIME (\S+) (\S+) (\S+) (\S+)/.exec(r.stderr);
  return { wall: Number(m[1]), user: Number(m[2]), sys: Number(m[3]), rssMb: Number(m[4]) / 1024, stdout: r.stdout };
}

const cases = {
  ours: (out) => [process.execPath, path.join(here, 'pack-one.mjs'), tree, out, 'gzip', '6'],
  pigz: (out) => ['bash', '-c', `cd "${tree}" && find . | cpio -o -H newc --quiet | pigz -6 > "${out}"`],
  gzip: (out) => ['bash', '-c', `cd "${tree}" && find . | cpio -o -H newc --quiet | gzip -6 > "${out}"`],
};
const names = withGzip ? ['ours', 'pigz', 'gzip'] : ['ours', 'pigz'];
const results = Object.fromEntries(names.map((n) => [n, []]));
execFileSync('bash', ['-c', `cd "${tree}" && find . -type f -print0 | xargs -0 cat > /dev/null`]); // warm the page cache
for (let i = 0; i < runs; i++) {
  const order = i % 2 === 0 ? names : [...names].reverse();
  for (const n of order) {
    const out = path.join(outDir, `${n}.cpio.gz`);
    const t = timed(cases[n](out));
    t.size = statSync(out).size;
    results[n].push(t);
    console.log(`run ${i + 1} ${n.padEnd(4)} wall ${t.wall.toFixed(2)} s  cpu ${(t.user + t.sys).toFixed(1)} s  rss ${t.rssMb.toFixed(0)} MB  size ${t.size}`);
  }
}
const gt = spawnSync('gzip', ['-t', path.join(outDir, 'ours.cpio.gz')]);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = {};
for (const n of names) {
  const r = results[n];
  summary[n] = {
    wallMedian: median(r.map((x) => x.wall)), wallMin: Math.min(...r.map((x) => x.wall)), cpuMedian: median(r.map((x) => x.user + x.sys)),
    peakRssMb: Math.max(...r.map((x) => x.rssMb)), size: r[r.length - 1].size,
  };
}
console.log('\nsummary (median wall, min wall, median cpu, peak RSS of largest process, output size):');
for (const n of names) {
  const s = summary[n];
  console.log(`  ${n.padEnd(4)} ${s.wallMedian.toFixed(2)} s  ${s.wallMin.toFixed(2)} s  ${s.cpuMedian.toFixed(1)} s  ${s.peakRssMb.toFixed(0)} MB  ${s.size}`);
}
const o = summary.ours;
console.log(`ours/pigz wall ${(o.wallMedian / summary.pigz.wallMedian).toFixed(3)}  size ${((o.size / summary.pigz.size - 1) * 100).toFixed(2)}%`);
if (withGzip) console.log(`ours/gzip wall ${(o.wallMedian / summary.gzip.wallMedian).toFixed(3)}  size ${((o.size / summary.gzip.size - 1) * 100).toFixed(2)}%`);
console.log(`gzip -t on ours: ${gt.status === 0 ? 'ok' : 'FAILED'}`);
writeFileSync(path.join(cacheDir, 'results.json'), JSON.stringify({ tree, bytes: Number(du), entries: Number(nfiles), runs, results, summary, date: new Date().toISOString() }, null, 2));
