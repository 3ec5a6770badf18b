#!/usr/bin/env node
// Benchmark: import + build of a ~200 MB image (busybox + Debian's kernel with every driver
// module, made from .deb files) from a docker-registry on loopback (pushed with skopeo).
// Reports the import split (transfer into the blob cache, apply of the layers) and the build
// split (pack = cpio only, compress = gzip of that stream), then `wwctl image build --force`
// against `find . | cpio -o -H newc | pigz -6` on the same chroot, interleaved runs, with sizes.
// Needs: npm run build; docker-registry, skopeo, GNU cpio, pigz; apt access for the .debs once.
// Usage: node bench/images/run.mjs [--runs N]   (goal: build <= 1.0x the baseline, size within 1%)
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] || 3) || 3;
const dist = (p) => path.join(repo, 'packages', p);
const { debianBusyboxImage } = await import(dist('testenv/dist/images.js'));
const { startRegistry } = await import(dist('testenv/dist/registry.js'));
const core = await import(dist('core/dist/index.js'));
const image = await import(dist('core/dist/image/index.js'));
const cpio = await import(dist('cpio/dist/index.js'));

const out = path.join(repo, 'bench', '.out', 'images');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const env = { WAREWULF_ROOT: path.join(out, 'root'), PATH: process.env.PATH, TZ: 'UTC' };
const paths = core.resolvePaths({ env });
const log = core.noopLogger;
const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`node ${process.version}, ${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores (shared with other jobs: figures are noisy)`);
const t0 = Date.now();
const img = await debianBusyboxImage({ modules: 'drivers' });
console.log(`image: ${path.relative(repo, img.ociArchive)} (${mb(statSync(img.ociArchive).size)} compressed; made/cached in ${s(Date.now() - t0)})`);

const reg = await startRegistry();
try {
  await reg.push(`oci-archive:${img.ociArchive}:latest`, 'bench/debian:drivers');
  const src = `docker://${reg.host}/bench/debian:drivers`;

  // import: cold cache, then warm (the blob cache makes the transfer a no-op)
  const cold = await image.importImage(paths, src, { name: 'bench', nohttps: true, env: {}, log });
  const warm = await image.importImage(paths, src, { name: 'bench', force: true, nohttps: true, env: {}, log });
  const ip = image.imagePaths(paths, 'bench');
  const m = await image.measureTree(ip.rootfs);
  console.log(`chroot: ${mb(m.bytes)} in ${m.entries} entries`);
  console.log(`import (cold cache): transfer ${s(cold.transferMs)}, apply ${s(cold.applyMs)}`);
  console.log(`import (warm cache): transfer ${s(warm.transferMs)}, apply ${s(warm.applyMs)}`);

  // the build's two halves on their own (the build itself runs them as one pipelined pass)
  const excludes = ['.*', ...(await image.readExcludes(ip.rootfs))];
  const rawOut = path.join(out, 'pack-only.img');
  let t = Date.now();
  await cpio.packTreeToFile(ip.rootfs, rawOut, { exclude: excludes, oneFileSystem: true });
  const packMs = Date.now() - t;
  t = Date.now();
  await pipeline(cpio.gzipParallel(createReadStream(rawOut), { level: 6 }), createWriteStream(`${rawOut}.gz`));
  const compressMs = Date.now() - t;
  await cpio.closeCompressionWorkers();
  console.log(`build split: pack ${s(packMs)} (${mb(statSync(rawOut).size)} cpio), compress ${s(compressMs)} (${mb(statSync(`${rawOut}.gz`).size)} gzip)`);

  // whole build as an admin runs it, against the shell pipeline, interleaved
  execFileSync('bash', ['-c', `cd "${ip.rootfs}" && find . -type f -print0 | xargs -0 cat > /dev/null`]);
  const wwctl = path.join(repo, 'packages', 'wwctl', 'bin', 'wwctl.js');
  const base = path.join(out, 'baseline.img.gz');
  const cases = {
    ours: () => spawnSync(process.execPath, [wwctl, 'image', 'build', '--force', 'bench'], { env, stdio: 'ignore' }),
    pigz: () => spawnSync('bash', ['-c', `cd "${ip.rootfs}" && find . -mindepth 1 | cpio -o -H newc --quiet | pigz -6 > "${base}"`], { stdio: 'ignore' }),
  };
  const times = { ours: [], pigz: [] };
  for (let i = 0; i < runs; i++) {
    for (const n of i % 2 === 0 ? ['ours', 'pigz'] : ['pigz', 'ours']) {
      const start = process.hrtime.bigint();
      const r = cases[n]();
      if (r.status !== 0) throw new Error(`${n} failed`);
      times[n].push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  const ours = median(times.ours);
  const pigz = median(times.pigz);
  const oursSize = statSync(ip.imgGz).size;
  const baseSize = statSync(base).size;
  console.log(`build: wwctl image build --force ${s(ours)} (.img ${mb(statSync(ip.img).size)} + .img.gz ${mb(oursSize)}) | find|cpio|pigz -6 ${s(pigz)} (${mb(baseSize)})  [medians of ${runs}]`);
  console.log(`ratio ours/baseline: time ${(ours / pigz).toFixed(2)}x (goal <= 1.0), size ${((oursSize / baseSize - 1) * 100).toFixed(2)}% (goal within 1%)`);
} finally {
  await reg.stop();
}
