#!/usr/bin/env node
// Node changes through the REST API (issue 13) against the baseline every
// script has today: one `wwctl node set` process per change. Both go through
// the same locked read-modify-write of nodes.conf; the API saves the process
// start and answers after the daemon has reloaded. Also: GET /api/nodes/
// (every node merged) and /api/dashboard on the same tree.
// Run after a build:  node bench/api/writes.mjs [--nodes 1000] [--changes 200] [--wwctl 10]
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { arg, makeTree, nodeName, repo, startDaemon } from '../warewulfd/lib.mjs';

const NODES = arg('--nodes', 1000);
const CHANGES = arg('--changes', 200);
const WWCTL = arg('--wwctl', 10);
const tree = makeTree({ nodes: NODES, kernelBytes: 1024, imageBytes: 1024, overlays: false, extraConf: '  autobuild overlays: false\napi:\n  enabled: true\n' });
const hash = execFileSync('htpasswd', ['-nbBC', '10', 'admin', 'bench'], { encoding: 'utf8' }).trim().split(':')[1];
writeFileSync(join(tree.root, 'etc/warewulf/auth.conf'), `users:\n  - name: admin\n    password hash: ${hash}\n`, { mode: 0o600 });
const auth = `Basic ${Buffer.from('admin:bench').toString('base64')}`;
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

async function patch(url, i) {
  const r = await fetch(`${url}/api/nodes/${nodeName((i % NODES) + 1)}`, {
    method: 'PATCH',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify({ node: { comment: `api change ${i}` } }),
  });
  if (r.status !== 200) throw new Error(`PATCH: ${r.status} ${await r.text()}`);
  await r.arrayBuffer();
}

try {
  const d = await startDaemon(tree.root);
  try {
    // the first request pays for bcrypt once; the daemon remembers the verified login
    await patch(d.url, 0);

    let t0 = process.hrtime.bigint();
    for (let i = 0; i < WWCTL; i++) {
      const r = spawnSync(process.execPath, [join(repo, 'packages/wwctl/bin/wwctl.js'), 'node', 'set', '--yes', '--comment', `cli change ${i}`, nodeName(i + 1)], {
        env: { PATH: process.env.PATH, WAREWULF_ROOT: tree.root },
      });
      if (r.status !== 0) throw new Error(`wwctl: ${r.stderr}`);
    }
    const wwctlMs = ms(t0) / WWCTL;

    t0 = process.hrtime.bigint();
    for (let i = 0; i < CHANGES; i++) await patch(d.url, i);
    const seqMs = ms(t0) / CHANGES;

    t0 = process.hrtime.bigint();
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < CHANGES) await patch(d.url, next++);
    }));
    const parMs = ms(t0) / CHANGES;

    const get = async (path) => {
      const t = process.hrtime.bigint();
      const r = await fetch(`${d.url}${path}`, { headers: { authorization: auth } });
      const body = await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
      return [ms(t), body.byteLength];
    };
    await get('/api/nodes/');
    const [listMs, listBytes] = await get('/api/nodes/');
    const [dashMs] = await get('/api/dashboard');
    const [freshMs] = await get('/api/dashboard/freshness');

    console.log(`${NODES} nodes in nodes.conf`);
    console.log(`wwctl node set (one process per change): ${wwctlMs.toFixed(1)} ms per change (${WWCTL} changes)`);
    console.log(`API PATCH, one at a time:                 ${seqMs.toFixed(1)} ms per change (${CHANGES} changes) -> ${(wwctlMs / seqMs).toFixed(1)}x faster than wwctl`);
    console.log(`API PATCH, 8 clients at once:             ${parMs.toFixed(1)} ms per change -> ${(wwctlMs / parMs).toFixed(1)}x`);
    console.log(`GET /api/nodes/ (all merged): ${listMs.toFixed(0)} ms, ${(listBytes / 1024).toFixed(0)} KiB; GET /api/dashboard: ${dashMs.toFixed(0)} ms; GET /api/dashboard/freshness (a dry run of the overlay builder): ${freshMs.toFixed(0)} ms`);
  } finally {
    await d.stop();
  }
} finally {
  tree.cleanup();
}
