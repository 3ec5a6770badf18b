#!/usr/bin/env node
// wwctl's start-up bundle (run by `node scripts/run.mjs build|test|demo` after `tsc -b`).
//
// Why: a `node list` spent ~400 ms of its time resolving and evaluating ~260 ES
// modules (zod alone is 95) before any work. One bundle (plus lazily loaded
// chunks, one per noun, so `import()` stays lazy) loads in a fraction of that.
// Input is tsc's output (packages/*/dist), so the bundle runs exactly the code
// the tests typecheck; output is packages/wwctl/dist/bundle/, run by bin/wwctl.js.
//
// Every `import.meta.url` of a bundled module is rewritten to the URL of the
// module's original file (relative to the bundle, so the tree can move): shipped
// overlays, etc/warewulf and BMC templates, worker-thread files, the daemon's
// bin resolve from where they always did, bundled or not.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const outdir = process.env.WW_BUNDLE_OUTDIR ?? join(root, 'packages', 'wwctl', 'dist', 'bundle');
/** Packages left out of the bundle: piscina finds its own worker file through `__dirname`. */
const EXTERNAL = new Set(['piscina', 'playwright-core']);

/** `import.meta.url` in a bundled file -> the URL of that file where it was (relative to the output chunk). */
const keepModuleUrls = {
  name: 'keep-module-urls',
  setup(b) {
    b.onLoad({ filter: /\.(m?js|cjs)$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      // every chunk is written directly into outdir, so one relative path serves all of them
      const rel = relative(outdir, args.path).split('\\').join('/');
      const url = `new URL(${JSON.stringify(rel)}, import.meta.url).href`;
      return { contents: text.replaceAll('import.meta.url', url), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * A package left out is imported by the path where the importing module
 * finds it (pnpm gives each workspace package its own node_modules: core's
 * piscina is not visible from packages/wwctl), relative to the bundle.
 */
const externalFromImporter = {
  name: 'external-from-importer',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (!EXTERNAL.has(args.path) || args.pluginData === 'inner') return undefined;
      const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'inner' });
      if (r.errors.length > 0) return { errors: r.errors };
      return { path: `./${relative(outdir, r.path).split('\\').join('/')}`, external: true };
    });
  },
};

/** The nearest package.json's "type" decides what a `.js` file is (Node's own rule). */
function isCommonJs(file) {
  if (file.endsWith('.cjs')) return true;
  if (!file.endsWith('.js')) return false;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    try {
      return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).type !== 'module';
    } catch (e) {
      if (e.code !== 'ENOENT') throw e;
    }
    if (dirname(dir) === dir) return true;
  }
}

/**
 * `await import('cjs-package')` with the names Node gives it.
 *
 * Why: with code splitting, esbuild puts a lazily imported CommonJS package in
 * its own chunk ending in `export default require_pkg()`, so the namespace the
 * import resolves to has only `default`: `(await import('undici')).Agent` was
 * undefined in the bundle (`u.Agent is not a constructor`) while tsc's output,
 * run by Node, gets every named export. Such an import is sent through a small
 * ES module that requires the package and exports `default` (module.exports,
 * as Node does) plus each of its own properties by name, listed by loading the
 * package here once (the bundle pins the same file, so the names are the same).
 */
const lazyCommonJs = {
  name: 'lazy-commonjs-named-exports',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.kind !== 'dynamic-import' || EXTERNAL.has(args.path) || args.pluginData === 'inner') return undefined;
      const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'inner' });
      if (r.errors.length > 0 || r.external || !isCommonJs(r.path)) return undefined;
      // relative to the repository, so no build path lands in the bundle (esbuild names each module in a comment)
      return { path: relative(root, r.path).split('\\').join('/'), namespace: 'lazy-cjs' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-cjs' }, (args) => {
      const file = join(root, args.path);
      const names = Object.keys(createRequire(file)(file)).filter((n) => n !== 'default');
      const lines = [`const m = require(${JSON.stringify(file)});`, 'export default m;'];
      names.forEach((n, i) => lines.push(`const e${i} = m[${JSON.stringify(n)}];`, `export { e${i} as ${JSON.stringify(n)} };`));
      return { contents: lines.join('\n'), loader: 'js', resolveDir: dirname(file) };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
await build({
  absWorkingDir: root,
  entryPoints: { wwctl: join(root, 'packages', 'wwctl', 'dist', 'main.js') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  // CommonJS dependencies (commander, js-yaml's friends) call require() inside an ES module
  banner: { js: "import { createRequire as __wwCreateRequire } from 'node:module'; const require = __wwCreateRequire(import.meta.url);" },
  plugins: [externalFromImporter, lazyCommonJs, keepModuleUrls],
  logLevel: 'warning',
  legalComments: 'none',
});
console.log(`wwctl: bundled into ${relative(root, outdir)}/wwctl.js`);
