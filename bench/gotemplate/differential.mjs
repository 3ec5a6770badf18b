#!/usr/bin/env node
// Differential test: render generated templates with this engine and with the
// Go reference (batch mode) and compare output and error text case by case.
//
//   node bench/gotemplate/differential.mjs [--count 20000] [--printf 5000] [--seed 1] [--write FILE.jsonl] [--show 10]
//
// --count: generated templates (gen-cases.mjs); --printf: extra printf fuzz
// cases (gen-printf.mjs: random flags/width/precision/verbs/operands).
//
// Needs `tsc -b packages/gotemplate` (imports dist/) and Go (builds the
// reference into .cache/ with ../shared/tools/gotemplate-ref/build.sh).

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCases } from './gen-cases.mjs';
import { generatePrintfCases } from './gen-printf.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

export function buildReference() {
  const shared = path.resolve(repoRoot, '..', 'shared');
  const out = execFileSync('bash', [path.join(shared, 'tools/gotemplate-ref/build.sh'), path.join(repoRoot, '.cache/gotemplate-ref')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return out.trim().split('\n').pop();
}

/** Run cases through the reference; returns [{name, output, error}]. */
export function runReference(bin, cases) {
  const input = cases.map((c) => JSON.stringify(c)).join('\n') + '\n';
  const out = execFileSync(bin, ['-batch', '-'], { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  return out.trim().split('\n').map((l) => JSON.parse(l));
}

/** Compare; returns the disagreeing cases with Go's expected result attached. */
export function compare(cases, refResults, renderCase, asGoJSONText = (s) => s) {
  const bad = [];
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    const want = refResults[i];
    const data = c.data === undefined ? null : JSON.parse(JSON.stringify(c.data));
    const [raw, error] = renderCase(c.template_name ?? 'tpl', c.template, data, c.missingkey ?? 'default');
    const output = asGoJSONText(raw); // the reference's JSON shows invalid UTF-8 bytes as U+FFFD
    if (output !== want.output || error !== want.error) {
      bad.push({ ...c, output: want.output, error: want.error, got: { output, error } });
    }
  }
  return bad;
}

async function main() {
  const args = process.argv.slice(2);
  const opt = (name, def) => {
    const i = args.indexOf('--' + name);
    return i >= 0 ? args[i + 1] : def;
  };
  const count = Number(opt('count', '10000'));
  const seed = Number(opt('seed', '1'));
  const show = Number(opt('show', '10'));
  const writeTo = opt('write', '');
  const { renderCase, asGoJSONText } = await import(path.join(repoRoot, 'packages/gotemplate/dist/index.js'));
  const bin = buildReference();
  const nPrintf = Number(opt('printf', '0'));
  const cases = [...generateCases({ seed, count }), ...generatePrintfCases({ seed, count: nPrintf })];
  const t0 = Date.now();
  const ref = runReference(bin, cases);
  const t1 = Date.now();
  const bad = compare(cases, ref, renderCase, asGoJSONText);
  const t2 = Date.now();
  const errors = ref.filter((r) => r.error !== null).length;
  const total = cases.length;
  console.log(`${total} cases (seed ${seed}; ${count} templates + ${nPrintf} printf): ${total - bad.length} agree, ${bad.length} disagree; ${errors} are Go errors`);
  console.log(`reference ${t1 - t0} ms, ours ${t2 - t1} ms`);
  for (const b of bad.slice(0, show)) {
    console.log('---', b.name, JSON.stringify(b.template), JSON.stringify(b.data), b.missingkey ?? '');
    console.log('  go  ', JSON.stringify(b.output), b.error);
    console.log('  ours', JSON.stringify(b.got.output), b.got.error);
  }
  if (writeTo) {
    writeFileSync(writeTo, bad.map(({ got, ...c }) => JSON.stringify(c)).join('\n') + (bad.length ? '\n' : ''));
    console.log(`wrote ${bad.length} cases to ${writeTo}`);
  }
  process.exitCode = bad.length > 0 ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
