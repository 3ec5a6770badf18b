#!/usr/bin/env node
// Per-node cost of overlay templates: template data construction
// (TemplateBuild.dataFor: node view + data object) and the rendering of the
// shipped default profile's templates (those that exist here), per node.
// Templates that use only Go built-ins (and `default`) are also rendered by
// Go's text/template on the same data as JSON, outputs compared by sha256:
// the ratio is upstream's per-node rendering cost against ours.
//
//   node bench/overlays/bench.mjs [--nodes 10000]
//
// Needs `tsc -b` and Debian's Go (golang-go). The lead's full-build bench
// (images, parallel workers, dependency tracking) extends this directory.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const args = process.argv.slice(2);
const NODES = Number(args.includes('--nodes') ? args[args.indexOf('--nodes') + 1] : '10000');
const core = await import(path.join(repo, 'packages/core/dist/index.js'));
const cfg = await import(path.join(repo, 'packages/core/dist/config/index.js'));
const ov = await import(path.join(repo, 'packages/core/dist/overlay/index.js'));
const { goJSONData } = await import(path.join(here, 'go-json.mjs'));

// a registry on the shipped default profile
let text = readFileSync(path.join(repo, 'etc/warewulf/nodes.conf'), 'utf8').replace('nodes: {}\n', 'nodes:\n');
text = text.replace('    init: /sbin/init\n', '    init: /sbin/init\n    image name: rocky-9\n    network devices:\n      default: {netmask: 255.255.0.0, gateway: 10.10.0.1, tags: {DNS1: 10.10.0.1}}\n');
for (let i = 0; i < NODES; i++) {
  const h = (n) => n.toString(16).padStart(2, '0');
  text += `  n${String(i + 1).padStart(5, '0')}:\n    network devices:\n      default: {device: eth0, hwaddr: "52:54:00:${h(i >> 16)}:${h((i >> 8) & 255)}:${h(i & 255)}", ipaddr: 10.10.${(i >> 8) & 255}.${i & 255}}\n`;
  if (i % 2 === 0) text += `      ib: {type: infiniband, device: ib0, ipaddr: 172.16.${(i >> 8) & 255}.${i & 255}}\n`;
}
const doc = core.parseNodesConf(text);
const merger = new core.NodeMerger(doc);
const ids = Object.keys(doc.nodes);
const t0 = performance.now();
const nodes = ids.map((id) => merger.merge(id));
const mergeMs = performance.now() - t0;

const work = mkdtempSync(path.join(tmpdir(), 'ww-bench-overlays-'));
const conf = cfg.parseWarewulfConf(readFileSync(path.join(repo, 'etc/warewulf/warewulf.conf'), 'utf8'));
const paths = cfg.resolvePaths({ env: {}, conf });
const ctx = { conf, paths, hostname: 'wwhead', buildTime: new Date(0), kernelVersion: () => '5.14.0' };
const env = { confDir: path.join(work, 'etc/warewulf'), serverRoot: work, imageRoot: () => undefined };

// data construction
let build = new ov.TemplateBuild(ctx, nodes);
const t1 = performance.now();
const data = nodes.map((n) => build.dataFor(n));
const dataUs = ((performance.now() - t1) * 1000) / NODES;
const t2 = performance.now();
data[0].AllNodes;
const allMs = performance.now() - t2;

// templates of the default profile's overlays that exist here
const lists = [...data[0].SystemOverlay, ...data[0].RuntimeOverlay].filter((o, i, a) => a.indexOf(o) === i);
const present = lists.filter((o) => { try { return statSync(path.join(repo, 'overlays', o)).isDirectory(); } catch { return false; } });
const templates = [];
for (const o of present) {
  const root = path.join(repo, 'overlays', o, 'rootfs');
  const walk = (rel) => {
    for (const n of readdirSync(path.join(root, rel)).sort()) {
      const r = rel ? `${rel}/${n}` : n;
      if (statSync(path.join(root, r)).isDirectory()) walk(r);
      else if (n.endsWith('.ww')) templates.push({ overlay: o, path: r, file: path.join(root, r) });
    }
  };
  walk('');
}
let perNodeUs = 0;
let onceMs = 0;
const rows = [];
for (const t of templates) {
  const c = ov.compileTemplate({ overlay: t.overlay, path: t.path, source: t.file }, readFileSync(t.file, 'utf8'), env);
  const refs = ov.templateReferences(c.template);
  // node-independent templates (hosts: only server data and .AllNodes) render once per build
  const nodeSpecific = refs.wholeData || refs.paths.some((p) => !/^\.(AllNodes|Ipaddr|Ipaddr6|Ipv6|Netmask|Network|BuildHost|Warewulf|Dhcp|Tftp|Nfs|Ssh|Paths)\b/.test(p));
  const h = createHash('sha256');
  const n = nodeSpecific ? NODES : 1;
  const s = performance.now();
  for (let i = 0; i < n; i++) for (const slot of c.render(data[i]).slots) h.update(slot.content);
  const ms = performance.now() - s;
  if (nodeSpecific) perNodeUs += (ms * 1000) / NODES;
  else onceMs += ms;
  rows.push({ ...t, nodeSpecific, us: (ms * 1000) / n, sha: h.digest('hex') });
}

// Go's text/template on the templates that only use built-ins (and default)
const goChecked = ['hostname/etc/hostname.ww', 'issue/etc/issue.ww', 'udev.netname/etc/udev/rules.d/70-persistent-net.rules.ww', 'fstab/etc/fstab.ww'];
const jsonl = path.join(work, 'data.jsonl');
writeFileSync(jsonl, data.map((d) => JSON.stringify(goJSONData(d, { allNodes: false }))).join('\n') + '\n');
const cache = path.join(repo, '.cache', 'overlays-bench');
mkdirSync(cache, { recursive: true });
const goEnv = { ...process.env, GO111MODULE: 'on', GOFLAGS: '', GOPROXY: 'off', GOTOOLCHAIN: 'local', CGO_ENABLED: '0' };
if (!goEnv.HOME && !goEnv.GOCACHE) goEnv.GOCACHE = path.join(cache, 'gocache');
execFileSync('go', ['build', '-o', path.join(cache, 'gorender'), '.'], { cwd: path.join(here, 'go-render'), env: goEnv, stdio: 'inherit' });
const goFiles = goChecked.map((g) => path.join(repo, 'overlays', g.split('/')[0], 'rootfs', g.split('/').slice(1).join('/')));
const go = JSON.parse(execFileSync(path.join(cache, 'gorender'), [jsonl, ...goFiles], { encoding: 'utf8', maxBuffer: 1 << 28 }));

console.log(`overlay templates bench: ${NODES} nodes on the shipped default profile (node ${process.version}); the machine is shared, figures are indicative`);
console.log(`merge ${(mergeMs / NODES * 1000).toFixed(1)} µs/node (not ours; for scale)`);
console.log(`template data: ${dataUs.toFixed(2)} µs/node; .AllNodes once per build: ${allMs.toFixed(1)} ms`);
console.log(`overlays present: ${present.join(', ')} (missing here: ${lists.filter((o) => !present.includes(o)).join(', ')})`);
let ok = true;
for (const r of rows) {
  const g = go[goFiles[goChecked.indexOf(`${r.overlay}/${r.path}`)]];
  let cmp = '';
  if (g) {
    const same = g.sha256 === r.sha;
    ok &&= same;
    cmp = `  go ${(g.ns_per_render / 1000).toFixed(2)} µs, go/ours ${(g.ns_per_render / 1000 / r.us).toFixed(2)}x, output ${same ? 'identical' : 'DIFFERS'}`;
  }
  console.log(`  ${`${r.overlay}/${r.path}`.padEnd(62)} ${r.nodeSpecific ? 'per node ' : 'per build'} ${r.us.toFixed(2).padStart(9)} µs${cmp}`);
}
console.log(`per node: data + renders = ${(dataUs + perNodeUs).toFixed(1)} µs; per build (node-independent templates): ${onceMs.toFixed(1)} ms`);
console.log(`=> ${NODES} nodes, one core: ${((dataUs + perNodeUs) * NODES / 1e6 + onceMs / 1000).toFixed(2)} s of template work`);
rmSync(work, { recursive: true, force: true });
if (!ok) process.exitCode = 1;
