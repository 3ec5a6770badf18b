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
  plugins: [externalFromImporter, keepModuleUrls],
  logLevel: 'warning',
  legalComments: 'none',
});
console.log(`wwctl: bundled into ${relative(root, outdir)}/wwctl.js`);
