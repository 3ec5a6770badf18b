#!/usr/bin/env node
// The start-up bundle (scripts/bundle-wwctl.mjs, made by `node scripts/run.mjs build`) when it is there:
// one file instead of ~260 modules. tsc's output otherwise (`tsc -b` alone).
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/bundle/wwctl.js', import.meta.url);
await import(existsSync(bundle) ? bundle.href : '../dist/main.js');
