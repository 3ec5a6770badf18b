#!/usr/bin/env node
// One entry point for the README's two commands, so that a fresh clone needs
// nothing but Node.js 20 and npm: `npm run demo` and `npm test` both come here.
// It fetches the pinned pnpm through npx (no global install, no corepack:
// corepack's signature check fails against some registry mirrors), installs
// the workspace when the lockfile changed, compiles with `tsc -b`
// (incremental, a no-op when nothing changed) and then runs the job.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
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

/**
 * The suite runs real tools (GNU cpio, gzip -t, qemu, Go); a fresh Debian
 * machine gets them here, as root, so `npm test` alone is enough there too.
 */
function ensureDebianPackages() {
  const wanted = readFileSync(join(root, 'scripts', 'debian-packages.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const missing = wanted.filter((p) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    console.error(`warning: missing Debian packages (${missing.join(' ')}); tests that need them will fail or say why they skip. As root: apt-get install ${missing.join(' ')}`);
    return;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (...args) => run('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], { env });
  apt('update');
  apt('install', '-y', '--no-install-recommends', ...missing);
}

/** vitest, then one plain `N passed, N failed, N skipped` line that any CI can read. */
function runTests(args) {
  const report = join(root, '.cache', 'vitest-report.json');
  rmSync(report, { force: true });
  const r = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...args],
    { cwd: root, stdio: 'inherit' },
  );
  if (existsSync(report)) {
    const j = JSON.parse(readFileSync(report, 'utf8'));
    const skipped = (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
    console.log(`\n${j.numPassedTests} passed, ${j.numFailedTests} failed, ${skipped} skipped`);
  }
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** wwclient is C (nodes have no Node.js): compiled here, skipped when up to date. */
function buildNative() {
  run(process.execPath, [join(root, 'packages', 'wwclient', 'build.mjs')]);
}

const [job = 'test', ...rest] = process.argv.slice(2);
installIfNeeded();
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b']);
// wwctl's start-up bundle, from tsc's output (bin/wwctl.js runs it; see the script for why)
run(process.execPath, [join(root, 'scripts', 'bundle-wwctl.mjs')]);
switch (job) {
  case 'demo':
    buildNative();
    run(process.execPath, [join(root, 'scripts', 'demo.mjs'), ...rest]);
    break;
  case 'test':
    ensureDebianPackages();
    buildNative();
    // vitest strips types without checking them; the tests are typechecked here
    run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.test.json']);
    runTests(rest);
    break;
  case 'build':
    buildNative();
    break;
  default:
    console.error(`unknown job: ${job} (demo | test | build)`);
    process.exit(2);
}
