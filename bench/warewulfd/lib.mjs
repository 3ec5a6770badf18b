// Shared pieces of the warewulfd benchmarks: a provisioning tree with N
// nodes, the real daemon binary on loopback, nginx on the same files, wrk.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const mac = (i) => `52:54:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
export const nodeName = (i) => `n${String(i).padStart(5, '0')}`;

export function arg(name, def) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

export function freePort() {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** Resolves once something accepts connections on 127.0.0.1:port; throws if `gone()` turns true first. */
export async function waitForPort(port, gone) {
  for (;;) {
    if (gone()) throw new Error(`the server for port ${port} exited`);
    const up = await new Promise((res) => {
      const s = connect({ host: '127.0.0.1', port }, () => { s.destroy(); res(true); });
      s.on('error', () => res(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A WAREWULF_ROOT with `nodes` nodes, one image (kernel + image file) and, with `overlays`,
 * each node's system and runtime overlay images built by `wwctl overlay build`
 * (`overlaySizes.system[i]`: the size of node i's `__SYSTEM__.img.gz`).
 */
export function makeTree({ nodes, kernelBytes, imageBytes, overlays = false, extraConf = '' }) {
  const root = mkdtempSync(join(tmpdir(), 'ww-bench-'));
  const put = (rel, data) => {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, data);
    return p;
  };
  put('etc/warewulf/warewulf.conf', `ipaddr: 127.0.0.1\nnetmask: 255.0.0.0\nwarewulf:\n  port: 9873\n  secure: false\n${extraConf}`);
  cpSync(join(repo, 'etc', 'warewulf', 'ipxe'), join(root, 'etc', 'warewulf', 'ipxe'), { recursive: true });
  let conf = 'nodeprofiles:\n  default:\n    image name: bench\n    kernel:\n      args: [quiet, console=ttyS0]\nnodes:\n';
  for (let i = 1; i <= nodes; i++) conf += `  ${nodeName(i)}:\n    network devices:\n      default:\n        device: eth0\n        hwaddr: "${mac(i)}"\n        ipaddr: 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}\n`;
  put('etc/warewulf/nodes.conf', conf);
  const kernel = put('var/lib/warewulf/chroots/bench/rootfs/boot/vmlinuz-6.1.0-56-amd64', randomBytes(kernelBytes));
  const image = randomBytes(imageBytes);
  const imagePath = put('var/lib/warewulf/provision/images/bench.img', image);
  // random bytes do not compress: the .gz is as big as the image, which is what we want to move
  const imageGz = gzipSync(image, { level: 1 });
  put('var/lib/warewulf/provision/images/bench.img.gz', imageGz);
  // real overlay images built by wwctl (what a cluster has before it boots): the daemon's
  // autobuild then finds them up to date, as it would at a real boot storm
  let overlaySizes;
  if (overlays) {
    const r = spawnSync(process.execPath, [join(repo, 'packages', 'wwctl', 'bin', 'wwctl.js'), 'overlay', 'build'], {
      env: { PATH: process.env.PATH, WAREWULF_ROOT: root },
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    if (r.status !== 0) throw new Error(`wwctl overlay build failed: ${r.stderr.split('\n').slice(-5).join('\n')}`);
    overlaySizes = { system: [0], runtime: [0] };
    for (let i = 1; i <= nodes; i++) {
      for (const kind of ['system', 'runtime']) {
        overlaySizes[kind][i] = statSync(join(root, `var/lib/warewulf/provision/overlays/${nodeName(i)}/__${kind.toUpperCase()}__.img.gz`)).size;
      }
    }
  }
  return {
    root,
    kernelPath: kernel,
    kernelBytes,
    imagePath,
    imageGzBytes: imageGz.length,
    overlaySizes,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** The real warewulfd binary on 127.0.0.1; resolves once it listens. */
export async function startDaemon(root, extra = []) {
  const port = await freePort();
  const child = spawn(process.execPath, [...(process.env.WW_BENCH_NODE_ARGS ? process.env.WW_BENCH_NODE_ARGS.split(' ') : []), join(repo, 'packages', 'warewulfd', 'bin', 'warewulfd.js'), '--listen', '127.0.0.1', '--port', String(port), '--loglevel', '30', ...extra], {
    env: { PATH: process.env.PATH, WAREWULF_ROOT: root },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (process.env.WW_BENCH_LOG) child.stdout.pipe(createWriteStream(process.env.WW_BENCH_LOG));
  else child.stdout.resume();
  let exited = false;
  child.once('exit', () => (exited = true));
  await waitForPort(port, () => exited);
  return { port, pid: child.pid, url: `http://127.0.0.1:${port}`, stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }) };
}

/** Debian's nginx (sendfile on) serving `dir` on 127.0.0.1; `locations`: extra location blocks. */
export async function startNginx(dir, workers = 'auto', locations = '') {
  const port = await freePort();
  const prefix = mkdtempSync(join(tmpdir(), 'ww-bench-nginx-'));
  const conf = join(prefix, 'nginx.conf');
  // workers run as root when we are: the tree is in a private temp directory
  writeFileSync(conf, `daemon off;
${process.getuid?.() === 0 ? "user root;" : ""}
worker_processes ${workers};
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  types { application/octet-stream img; }
  server {
    listen 127.0.0.1:${port} backlog=4096;
    root ${dir};
${locations}
  }
}
`);
  const child = spawn('nginx', ['-p', prefix, '-c', conf], { stdio: 'inherit' });
  let exited = false;
  child.once('exit', () => (exited = true));
  await waitForPort(port, () => exited);
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise((r) => { child.once('exit', () => { rmSync(prefix, { recursive: true, force: true }); r(); }); child.kill('SIGQUIT'); }),
  };
}

/** wrk's figures: requests/s and bytes/s. */
export function wrk(url, { connections, threads = 2, seconds = 10, script }) {
  const args = ['-c', String(connections), '-t', String(threads), '-d', `${seconds}s`, '--timeout', '60s', '--latency', ...(script ? ['-s', script] : []), url];
  const r = spawnSync('wrk', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1]);
  const t = /Transfer\/sec:\s+([\d.]+)([KMG]?B)/.exec(r.stdout);
  const unit = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[t?.[2] ?? 'B'];
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(r.stdout)?.[1] ?? '0';
  const sockErr = /Socket errors: (.*)/.exec(r.stdout)?.[1] ?? '';
  return { rps, bytesPerSec: Number(t?.[1]) * unit, non2xx: Number(errors), socketErrors: sockErr, text: r.stdout };
}

export const fmtMB = (b) => `${(b / 1024 ** 2).toFixed(0)} MiB/s`;
