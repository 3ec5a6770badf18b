#!/usr/bin/env node
// Overlay rendering bench: this engine vs Go's text/template on the same
// templates and JSON data. Parse cost is counted once per template; each
// render's time is (parse + all executions) / executions.
//
//   node bench/gotemplate/bench.mjs [--nodes 10000] [--rounds 5] [--host-rounds 20]
//
// Workloads: hosts.ww (one /etc/hosts over all nodes, a render = the whole
// file) and ifcfg.ww (one ifcfg file per node, a render = one node's file).
// Needs `tsc -b packages/gotemplate` and Debian's Go (golang-go).

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from './gen-cases.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const cache = path.join(repoRoot, '.cache', 'gotemplate-bench');
const args = process.argv.slice(2);
const opt = (n, d) => (args.includes('--' + n) ? args[args.indexOf('--' + n) + 1] : d);
const NODES = Number(opt('nodes', '10000'));
const ROUNDS = Number(opt('rounds', '5'));
const HOST_ROUNDS = Number(opt('host-rounds', '20'));

function makeData(n) {
  const rnd = mulberry32(42);
  const hex2 = () => Math.floor(rnd() * 256).toString(16).padStart(2, '0');
  const nodes = [];
  for (let i = 0; i < n; i++) {
    const id = `n${String(i + 1).padStart(5, '0')}`;
    const ip = `10.${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
    const netdevs = {
      default: {
        Device: 'eth0',
        Hwaddr: `52:54:00:${hex2()}:${hex2()}:${hex2()}`,
        Ipaddr: ip,
        IpCIDR: ip + '/16',
        Netmask: '255.255.0.0',
        Gateway: rnd() < 0.8 ? '10.10.0.1' : '',
        MTU: rnd() < 0.3 ? 9000 : null,
        Type: 'ethernet',
        OnBoot: true,
        Primary: true,
      },
    };
    if (rnd() < 0.5) {
      netdevs.ib0 = { Device: 'ib0', Hwaddr: '', Ipaddr: `172.16.${(i >> 8) & 255}.${i & 255}`, Netmask: '255.255.0.0', Gateway: '', MTU: 65520, Type: 'infiniband', OnBoot: rnd() < 0.9, Primary: false };
    }
    if (rnd() < 0.2) netdevs.bmc = { Device: 'bmc', Hwaddr: '', Ipaddr: '', Netmask: '', Gateway: '', MTU: null, Type: 'ipmi', OnBoot: false, Primary: false };
    const tags = {};
    if (rnd() < 0.4) tags.rack = `r${i % 40}`;
    if (rnd() < 0.2) tags.zone = rnd() < 0.5 ? 'hot' : 'cold';
    nodes.push({ Id: id, Container: 'rocky-9', Kernel: { Version: '', Args: 'quiet crashkernel=no' }, NetDevs: netdevs, Tags: tags });
  }
  return { BuildHost: 'wwctl-head', BuildSource: 'warewulf-ts', Ipaddr: '10.10.0.1', AllNodes: nodes };
}

function buildGo() {
  const out = path.join(cache, 'gotemplatebench');
  mkdirSync(cache, { recursive: true });
  const env = { ...process.env, GO111MODULE: 'on', GOFLAGS: '', GOPROXY: 'off', GOTOOLCHAIN: 'local', CGO_ENABLED: '0' };
  if (!env.HOME && !env.GOCACHE) env.GOCACHE = path.join(cache, 'gocache');
  execFileSync('go', ['build', '-o', out, '.'], { cwd: path.join(here, 'go-bench'), env, stdio: 'inherit' });
  return out;
}

const sha = (parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

async function main() {
  const { parseTemplate, refFuncs } = await import(path.join(repoRoot, 'packages/gotemplate/dist/index.js'));
  mkdirSync(cache, { recursive: true });
  const dataFile = path.join(cache, `data-${NODES}.json`);
  writeFileSync(dataFile, JSON.stringify(makeData(NODES)));
  const data = JSON.parse(readFileSync(dataFile, 'utf8'));
  const tdir = path.join(here, 'templates');
  const funcs = refFuncs();

  const ours = {};
  for (const name of ['hosts', 'ifcfg']) {
    const text = readFileSync(path.join(tdir, name + '.ww'), 'utf8');
    const t0 = process.hrtime.bigint();
    const t = parseTemplate(name + '.ww', text, { funcs });
    const parseNs = Number(process.hrtime.bigint() - t0);
    let renders = 0;
    const first = [];
    const t1 = process.hrtime.bigint();
    const rounds = name === 'hosts' ? HOST_ROUNDS : ROUNDS;
    for (let r = 0; r < rounds; r++) {
      if (name === 'hosts') {
        const s = t.execute(data);
        renders++;
        if (r === 0) first.push(s);
      } else {
        for (const n of data.AllNodes) {
          const s = t.execute(n);
          renders++;
          if (r === 0) first.push(s);
        }
      }
    }
    const execNs = Number(process.hrtime.bigint() - t1);
    ours[name] = { renders, parse_ns: parseNs, exec_ns: execNs, ns_per_render: (parseNs + execNs) / renders, sha256: sha(first) };
  }

  const goBin = buildGo();
  const go = JSON.parse(execFileSync(goBin, [tdir, dataFile, String(HOST_ROUNDS), String(ROUNDS)], { encoding: 'utf8' }));

  console.log(`gotemplate bench: ${NODES} nodes, hosts x${HOST_ROUNDS}, ifcfg ${ROUNDS} rounds (node ${process.version}, ${execFileSync('go', ['version'], { encoding: 'utf8' }).trim()})`);
  let ok = true;
  for (const name of ['hosts', 'ifcfg']) {
    const o = ours[name];
    const g = go[name];
    const same = o.sha256 === g.sha256;
    ok &&= same;
    const unit = name === 'hosts' ? 'ms' : 'µs';
    const f = (ns) => (name === 'hosts' ? (ns / 1e6).toFixed(2) : (ns / 1e3).toFixed(2));
    console.log(
      `${name.padEnd(6)} per render: ours ${f(o.ns_per_render)} ${unit}, go ${f(g.ns_per_render)} ${unit}; ` +
        `go/ours = ${(g.ns_per_render / o.ns_per_render).toFixed(2)}x (parse ours ${(o.parse_ns / 1e3).toFixed(0)} µs, go ${(g.parse_ns / 1e3).toFixed(0)} µs; ${o.renders} renders; output ${same ? 'identical' : 'DIFFERS'})`,
    );
  }
  if (!ok) process.exitCode = 1;
}

await main();
