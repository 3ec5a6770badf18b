#!/usr/bin/env node
// Per-node iPXE script requests per second (issue 10): wrk on keep-alive
// connections, each request for another node's script (1,000 nodes in
// turn), the load generator on the same 2 cores. Goal: ≥ 5,000/s.
// Logging stays at its default level (info: two lines per request), to a file.
// Run after a build:  node bench/warewulfd/ipxe-rps.mjs [--nodes 1000] [--seconds 10] [--connections 50]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { arg, makeTree, startDaemon, wrk } from './lib.mjs';

const NODES = arg('--nodes', 1000);
const SECONDS = arg('--seconds', 10);
const CONN = arg('--connections', 50);
const tree = makeTree({ nodes: NODES, kernelBytes: 1024, imageBytes: 1024, overlays: false });
const script = join(tree.root, 'rotate.lua');
// each wrk thread walks the nodes from its own offset; hyphenated MACs as iPXE sends them
writeFileSync(
  script,
  `local n = ${NODES}
local i = 0
local t = 0
function setup(thread) t = t + 1; thread:set("offset", t * 7919) end
function init(args) i = offset or 0 end
function request()
  i = i + 1
  local k = (i % n) + 1
  local mac = string.format("52-54-00-%02x-%02x-%02x", math.floor(k / 65536) % 256, math.floor(k / 256) % 256, k % 256)
  return wrk.format("GET", "/ipxe/" .. mac .. "?assetkey=&uuid=00000000-0000-0000-0000-000000000000")
end
`,
);
try {
  const d = await startDaemon(tree.root, ['--loglevel', '20']);
  try {
    wrk(`${d.url}/`, { connections: CONN, seconds: 2, script }); // warm-up: JIT, template cache, kernel lookup
    const r = wrk(`${d.url}/`, { connections: CONN, seconds: SECONDS, script });
    if (r.non2xx > 0 || r.socketErrors) throw new Error(`${r.non2xx} non-2xx, socket errors ${r.socketErrors}`);
    const p99 = /99%\s+([\d.]+\w+)/.exec(r.text)?.[1];
    console.log(`iPXE scripts: ${Math.round(r.rps)} requests/s over ${NODES} nodes, ${CONN} connections, p99 ${p99} (goal >= 5000/s; wrk on the same cores)`);
  } finally {
    await d.stop();
  }
} finally {
  tree.cleanup();
}
