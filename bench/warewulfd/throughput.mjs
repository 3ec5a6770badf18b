#!/usr/bin/env node
// Image download throughput (issue 10): 50 concurrent clients (wrk) fetching
// a node's image from warewulfd, against Debian's nginx (sendfile on, one
// worker per core) serving the same file, in the same run; and against a
// bare Node.js http + createReadStream server (what the framework may cost).
// Rounds alternate so that load from elsewhere hits all three. Goal: ≥ 0.9× nginx.
// Run after a build:  node bench/warewulfd/throughput.mjs [--mb 64] [--seconds 8] [--connections 50] [--rounds 3]
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { arg, fmtMB, freePort, mac, makeTree, repo, startDaemon, startNginx, waitForPort, wrk } from './lib.mjs';

const MB = arg('--mb', 64);
const SECONDS = arg('--seconds', 8);
const CONN = arg('--connections', 50);
const ROUNDS = arg('--rounds', 3);
const tree = makeTree({ nodes: 1, kernelBytes: 1024, imageBytes: MB * 1024 * 1024, overlays: false });
const totals = { nginx: 0, bare: 0, warewulfd: 0 };
try {
  const nginx = await startNginx(dirname(tree.imagePath));
  const d = await startDaemon(tree.root);
  const barePort = await freePort();
  const bare = spawn(process.execPath, [join(repo, 'bench', 'warewulfd', 'bare-stream.mjs'), tree.imagePath, String(barePort)], { stdio: 'inherit' });
  let bareGone = false;
  bare.once('exit', () => (bareGone = true));
  await waitForPort(barePort, () => bareGone);
  try {
    // warm: nginx's files are in the page cache, warewulfd's in its memory cache after a first download
    for (const u of [`${nginx.url}/bench.img`, `http://127.0.0.1:${barePort}/`, `${d.url}/image/${mac(1)}`]) wrk(u, { connections: 1, threads: 1, seconds: 2 });
    for (let round = 1; round <= ROUNDS; round++) {
      const r = {
        nginx: wrk(`${nginx.url}/bench.img`, { connections: CONN, seconds: SECONDS }),
        bare: wrk(`http://127.0.0.1:${barePort}/`, { connections: CONN, seconds: SECONDS }),
        warewulfd: wrk(`${d.url}/image/${mac(1)}`, { connections: CONN, seconds: SECONDS }),
      };
      for (const [who, x] of Object.entries(r)) {
        if (x.non2xx > 0 || x.socketErrors) throw new Error(`${who}: ${x.non2xx} non-2xx, socket errors ${x.socketErrors}`);
        totals[who] += x.bytesPerSec;
      }
      console.log(`round ${round}: nginx ${fmtMB(r.nginx.bytesPerSec)}  bare node ${fmtMB(r.bare.bytesPerSec)}  warewulfd ${fmtMB(r.warewulfd.bytesPerSec)}`);
    }
  } finally {
    bare.kill();
    await d.stop();
    await nginx.stop();
  }
} finally {
  tree.cleanup();
}
const avg = (k) => totals[k] / ROUNDS;
console.log(
  `\nimage ${MB} MiB, ${CONN} connections, ${ROUNDS} x ${SECONDS} s each: warewulfd ${fmtMB(avg('warewulfd'))}, nginx ${fmtMB(avg('nginx'))}, bare node ${fmtMB(avg('bare'))}\n` +
    `warewulfd / nginx = ${(avg('warewulfd') / avg('nginx')).toFixed(2)}x (goal >= 0.9x); warewulfd / bare node = ${(avg('warewulfd') / avg('bare')).toFixed(2)}x (the framework's cost)`,
);
