#!/usr/bin/env node
// One entry point for the README's two commands, so that a fresh clone needs
// nothing but Node.js 20 and npm: `npm run demo` and `npm test` both come here.
// It fetches the pinned pnpm through npx (no global install, no corepack:
// corepack's signature check fails against some registry mirrors), installs
// the workspace when the lockfile changed, compiles with `tsc -b`
// (incremental, a no-op when nothing changed) and then runs the job.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const PNPM = 'pnpm@9.15.9';

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function pnpm(...args) {
  run('npx', ['--yes', PNPM, ...args]);
}

function installIfNeeded() {
  const marker = join(root, 'node_modules', '.modules.yaml');
  const lock = join(root, 'pnpm-lock.yaml');
  if (existsSync(marker) && existsSync(lock) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  pnpm('install', ...(existsSync(lock) && process.env.CI ? ['--frozen-lockfile'] : []));
}

const [job = 'test', ...rest] = process.argv.slice(2);
installIfNeeded();
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b']);
switch (job) {
  case 'demo':
    run(process.execPath, [join(root, 'scripts', 'demo.mjs'), ...rest]);
    break;
  case 'test':
    run(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...rest]);
    break;
  case 'build':
    break;
  default:
    console.error(`unknown job: ${job} (demo | test | build)`);
    process.exit(2);
}
