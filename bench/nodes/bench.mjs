#!/usr/bin/env node
// Registry performance at scale (issue 2): 10,000 nodes in 3 profiles.
// Wall time of the real wwctl process, median of N runs, against the budget
// and against a bare `node -e 0` start (the floor no CLI on Node goes below).
// Run after a build:  node bench/nodes/bench.mjs [--runs 7] [--nodes 10000]   (and --nodes 50000)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const wwctl = join(repo, 'packages', 'wwctl', 'bin', 'wwctl.js');
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const RUNS = arg('--runs', 7);
const N = arg('--nodes', 10000);
const width = String(N).length + 1;

function registry() {
  const profiles = `nodeprofiles:
  default:
    comment: This profile is automatically included for each node
    image name: rocky-9
    kernel:
      args:
        - quiet
        - crashkernel=no
    ipmi:
      username: admin
      password: secret
      netmask: 255.255.255.0
    network devices:
      default:
        netmask: 255.255.0.0
        tags:
          mtu: "9000"
  compute:
    profiles:
      - default
    runtime overlay:
      - hosts
      - ssh.authorized_keys
    tags:
      slurm: compute
  gpu:
    kernel:
      args:
        - nvidia-drm.modeset=1
    tags:
      gres: gpu:4
`;
  const lines = [profiles, 'nodes:\n'];
  for (let i = 1; i <= N; i++) {
    const id = `n${String(i).padStart(width, '0')}`;
    const a = (i >> 8) & 255;
    const b = i & 255;
    lines.push(`  ${id}:
    profiles:
      - compute${i % 10 === 0 ? '\n      - gpu' : ''}
    ipmi:
      ipaddr: 10.1.${a}.${b}
    network devices:
      default:
        device: eth0
        hwaddr: 52:54:00:00:${a.toString(16).padStart(2, '0')}:${b.toString(16).padStart(2, '0')}
        ipaddr: 10.0.${a}.${b}
`);
  }
  return lines.join('');
}

function time(args, env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(args[0], args.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const root = mkdtempSync(join(tmpdir(), 'ww-bench-nodes-'));
try {
  const conf = join(root, 'etc', 'warewulf', 'nodes.conf');
  mkdirSync(dirname(conf), { recursive: true });
  const text = registry();
  writeFileSync(conf, text, { mode: 0o600 });
  const env = { PATH: process.env.PATH, WAREWULF_ROOT: root };
  console.log(`nodes.conf: ${N} nodes in 3 profiles, ${(statSync(conf).size / 1e6).toFixed(2)} MB; median of ${RUNS} runs`);
  const floor = median(Array.from({ length: RUNS }, () => time([process.execPath, '-e', '0'], env)));
  console.log(`floor: node -e 0                                   ${floor.toFixed(0).padStart(6)} ms`);
  const first = `n${String(1).padStart(width, '0')}`;
  const last = `n${String(N).padStart(width, '0')}`;
  const cache = join(root, 'var', 'cache', 'warewulf-nodes');
  // issue 7's budgets: at 10,000 nodes list, -l, -n and -a NODE <= 0.5 s; at 50,000 nodes every listing mode and
  // node set over every node named explicitly <= 2 s (set: 2 s at any size); the names are separate arguments
  // (one comma-joined argument of 50,000 names would pass Linux's 128 KiB limit per argument)
  const listBudget = N <= 10_000 ? 500 : 2000;
  const range = `n[${first.slice(1)}-${last.slice(1)}]`;
  const cases = [
    ['node list (first read: YAML parsed, no cache)', ['node', 'list'], listBudget, true],
    ['node list', ['node', 'list'], listBudget],
    ['node list -l (every node fully merged)', ['node', 'list', '-l'], listBudget],
    ['node list -n', ['node', 'list', '-n'], listBudget],
    [`node list -a ${first}`, ['node', 'list', '-a', first], listBudget],
    ...(N > 10_000
      ? [
          ['node list -y', ['node', 'list', '-y'], listBudget],
          ['node list -j', ['node', 'list', '-j'], listBudget],
          ['node list -a (every node)', ['node', 'list', '-a'], listBudget],
          ['node export', ['node', 'export'], listBudget],
        ]
      : []),
    [`node set ${range} --comment x --yes`, ['node', 'set', range, '--comment', 'x', '--yes'], 2000],
    [`node set (each of ${N} names listed) --comment x --yes`, ['node', 'set', ...[...Array(N).keys()].map((i) => `n${String(i + 1).padStart(width, '0')}`), '--comment', 'y', '--yes'], 2000],
  ];
  let ok = true;
  for (const [label, args, budget, cold] of cases) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      if (cold) rmSync(cache, { recursive: true, force: true });
      if (label.startsWith('node set')) writeFileSync(conf, text, { mode: 0o600 }); // every run changes all nodes
      runs.push(time([process.execPath, wwctl, ...args], env));
    }
    const m = median(runs);
    const pass = m < budget;
    ok &&= pass;
    console.log(
      `${label.padEnd(50)} ${m.toFixed(0).padStart(6)} ms  budget ${budget} ms (${(m / budget).toFixed(2)}x of budget, ${(m / floor).toFixed(1)}x node start)  ${pass ? 'OK' : 'OVER'}`,
    );
  }
  process.exitCode = ok ? 0 : 1;
} finally {
  rmSync(root, { recursive: true, force: true });
}
