#!/usr/bin/env node
// A simulated boot storm (issue 10): 10,000 nodes each fetch their iPXE
// script, kernel, image and both overlays from the real daemon on loopback
// (a few-MB kernel and image; the overlays built beforehand by wwctl, as on a
// cluster that boots, so the daemon's autobuild finds them up to date), through two load-generator processes with
// 1,000 nodes in flight. Its wall time is set against the bytes moved divided
// by the loopback throughput measured in the same run with the same clients
// on raw TCP. Goal: ≤ 1.2×, 0 failures.
// The same storm also runs against a bare Node.js http server (storm-baseline-server.mjs):
// what the daemon costs beyond HTTP and the clients (--baseline 0 skips it).
// And against nginx with sendfile on the same files (--nginx 0 skips it).
// Run after a build:  node bench/warewulfd/storm.mjs [--nodes 10000] [--kernel-mb 1] [--image-mb 3] [--concurrency 1000] [--baseline 1] [--nginx 1]
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { arg, freePort, mac, makeTree, nodeName, repo, startDaemon, startNginx, waitForPort } from './lib.mjs';

const NODES = arg('--nodes', 10000);
const KMB = arg('--kernel-mb', 1);
const IMB = arg('--image-mb', 3);
const CONC = arg('--concurrency', 1000);
const BASELINE = arg('--baseline', 1) !== 0;
const NGINX = arg('--nginx', 1) !== 0;
const WORKERS = 2;
const here = join(repo, 'bench', 'warewulfd');

/** user+system CPU seconds of a process so far (/proc/<pid>/stat). */
const clockTicks = 100; // USER_HZ on Linux
function processCpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / clockTicks;
}

function client(job) {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [join(here, 'storm-client.mjs'), JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`client exited ${code}`))));
  });
}

console.log(`building a tree of ${NODES} nodes (kernel ${KMB} MiB, image ${IMB} MiB) and their overlays (wwctl overlay build) ...`);
const tree = makeTree({ nodes: NODES, kernelBytes: KMB * 1024 * 1024, imageBytes: IMB * 1024 * 1024, overlays: true, extraConf: '  stream limit: 512\n' });
// the overlay images' sizes differ per node: the clients read them from a file (too long for argv)
const overlaySizesFile = join(tree.root, 'overlay-sizes.json');
writeFileSync(overlaySizesFile, JSON.stringify(tree.overlaySizes));
const sha = (p) => createHash('sha256').update(readFileSync(p)).digest('hex');
try {
  // loopback throughput through the same clients: raw TCP, same concurrency
  const blastPort = await freePort();
  const blaster = spawn(process.execPath, [join(here, 'blast-server.mjs'), String(blastPort)], { stdio: 'inherit' });
  await waitForPort(blastPort, () => false);
  const blast = await Promise.all(Array.from({ length: WORKERS }, () => client({ mode: 'blast', host: '127.0.0.1', port: blastPort, connections: CONC / WORKERS, seconds: 10 })));
  blaster.kill();
  const loopback = blast.reduce((a, r) => a + r.bytes, 0) / Math.max(...blast.map((r) => r.seconds));

  const per = Math.ceil(NODES / WORKERS);
  const sizes = { kernel: tree.kernelBytes, image: tree.imageGzBytes };
  const verify = { kernelSha: sha(tree.kernelPath), imageSha: sha(`${tree.imagePath}.gz`) };
  /** The storm against `url` through the load generators: wall seconds, bytes, failures. */
  const storm = async (url) => {
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: WORKERS }, (_, w) =>
        client({ mode: 'storm', url, from: w * per + 1, to: Math.min(NODES, (w + 1) * per), concurrency: CONC / WORKERS, sizes, overlaySizesFile, verify, verifyEvery: 97 }),
      ),
    );
    const seconds = (Date.now() - started) / 1000;
    for (const r of results) for (const f of r.failures) console.log(`failure: ${f}`);
    const sum = (k) => results.reduce((a, r) => a + r[k], 0);
    return { seconds, bytes: sum('bytes'), failures: sum('failureCount'), retries: sum('retries'), clientCpu: sum('cpuSeconds') };
  };

  // the same storm against a bare Node.js http server with the same bytes: what HTTP and the clients cost
  let bare;
  if (BASELINE) {
    const barePort = await freePort();
    const bareServer = spawn(process.execPath, [join(here, 'storm-baseline-server.mjs'), tree.root, String(barePort), tree.kernelPath], { stdio: 'inherit' });
    let gone = false;
    bareServer.once('exit', () => (gone = true));
    try {
      await waitForPort(barePort, () => gone);
      bare = await storm(`http://127.0.0.1:${barePort}`);
    } finally {
      bareServer.kill();
    }
  }

  // the same storm against nginx (sendfile, a worker per core) serving the same files: what a C server
  // with zero-copy sends reaches on this machine, next to the ideal
  let ngx;
  if (NGINX) {
    const web = join(tree.root, 'nginx-root');
    mkdirSync(join(web, 'by-mac'), { recursive: true });
    symlinkSync(tree.kernelPath, join(web, 'kernel'));
    symlinkSync(`${tree.imagePath}.gz`, join(web, 'image'));
    writeFileSync(join(web, 'ipxe'), '#!ipxe\necho baseline\n'.repeat(40));
    for (let i = 1; i <= NODES; i++) {
      const dir = join(web, 'by-mac', mac(i).replaceAll(':', '-'));
      mkdirSync(dir);
      for (const kind of ['system', 'runtime']) symlinkSync(join(tree.root, `var/lib/warewulf/provision/overlays/${nodeName(i)}/__${kind.toUpperCase()}__.img.gz`), join(dir, kind));
    }
    const n = await startNginx(web, 'auto', `    location ~ ^/(ipxe|kernel|image)/ { try_files /$1 =404; }
    location ~ ^/(system|runtime)/([^/]+)$ { try_files /by-mac/$2/$1 =404; }`);
    try {
      ngx = await storm(n.url);
    } finally {
      await n.stop();
    }
  }

  const d = await startDaemon(tree.root);
  try {
    const cpu0 = processCpuSeconds(d.pid);
    const r = await storm(d.url);
    const daemonCpu = processCpuSeconds(d.pid) - cpu0;
    const ideal = r.bytes / loopback;
    console.log(
      `\nboot storm: ${NODES} nodes x 5 requests, ${(r.bytes / 2 ** 30).toFixed(1)} GiB in ${r.seconds.toFixed(1)} s (${((r.bytes / r.seconds) / 2 ** 20).toFixed(0)} MiB/s), ` +
        `${r.failures} failures, ${r.retries} retried 503s\nloopback through the same clients: ${(loopback / 2 ** 20).toFixed(0)} MiB/s -> ideal ${ideal.toFixed(1)} s; ` +
        `storm / ideal = ${(r.seconds / ideal).toFixed(2)}x (goal <= 1.2x, 0 failures)` +
        `\nCPU: warewulfd ${daemonCpu.toFixed(1)} s, the load generators ${r.clientCpu.toFixed(1)} s (2 cores: ${(2 * r.seconds).toFixed(0)} core-s in the storm)` +
        (ngx ? `\nnginx (sendfile), same storm and clients: ${ngx.seconds.toFixed(1)} s (${ngx.failures} failures) = ${(ngx.seconds / ideal).toFixed(2)}x ideal; warewulfd / nginx = ${(r.seconds / ngx.seconds).toFixed(2)}x` : '') +
        (bare ? `\nbare Node.js http server, same storm and clients: ${bare.seconds.toFixed(1)} s (${bare.failures} failures) = ${(bare.seconds / ideal).toFixed(2)}x ideal; warewulfd / bare = ${(r.seconds / bare.seconds).toFixed(2)}x` : ''),
    );
  } finally {
    await d.stop();
  }
} finally {
  tree.cleanup();
}
