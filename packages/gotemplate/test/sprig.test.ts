// Our Sprig against the real one. fixtures/sprig-cases.jsonl holds Sprig's
// results (Go 1.19, Debian's Sprig 3.2.3) for every case in sprig-cases.ts;
// the first test compares ours with it, the second regenerates it with the
// live sprig-ref (built from test/sprig-ref with Debian's Go packages) and
// requires equality, so the fixture cannot drift from Go.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTemplate, TemplateError } from '../src/index.js';
import { sprigFuncs } from '../src/sprig/index.js';
import { SPRIG_CASES, type SprigCase } from './sprig-cases.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'sprig-cases.jsonl');
const REPO = resolve(import.meta.dirname, '..', '..', '..');

interface Result {
  name: string;
  output: string;
  error: string | null;
}

function ours(c: SprigCase): Result {
  const funcs = sprigFuncs({ env: { HOME: '/root' } });
  try {
    const t = parseTemplate(c.name, c.template, { funcs });
    return { name: c.name, output: t.execute(JSON.parse(JSON.stringify(c.data ?? null))), error: null };
  } catch (e) {
    if (e instanceof TemplateError) return { name: c.name, output: '', error: e.message };
    throw e;
  }
}

function goAvailable(): boolean {
  return existsSync('/usr/share/gocode/src/github.com/Masterminds/sprig') && existsSync('/usr/bin/go');
}

describe('Sprig functions agree with Masterminds/sprig', () => {
  const expected = new Map<string, Result>(
    existsSync(FIXTURE)
      ? readFileSync(FIXTURE, 'utf8').trim().split('\n').map((l) => [JSON.parse(l).name, JSON.parse(l) as Result])
      : [],
  );

  it.each(SPRIG_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const want = expected.get(c.name);
    expect(want, `no Go result for ${c.name} in the fixture: run with SPRIG_UPDATE=1`).toBeDefined();
    expect(ours(c)).toEqual(want);
  });

  // CI installs golang-go and golang-github-masterminds-sprig-dev (scripts/debian-packages.txt)
  it.skipIf(!goAvailable() && !process.env['CI'])('the fixture is what the real Sprig renders (sprig-ref)', () => {
    const bin = execFileSync('bash', [join(import.meta.dirname, 'sprig-ref', 'build.sh'), join(REPO, '.cache', 'sprig-ref')], { encoding: 'utf8' }).trim().split('\n').pop()!;
    const input = SPRIG_CASES.map((c) => JSON.stringify(c)).join('\n') + '\n';
    const lines = execFileSync(bin, [], { input, encoding: 'utf8' }).trim().split('\n');
    const live = lines.map((l) => JSON.parse(l) as Result).map((r) => ({ name: r.name, output: r.output, error: r.error }));
    if (process.env['SPRIG_UPDATE']) writeFileSync(FIXTURE, live.map((r) => JSON.stringify(r)).join('\n') + '\n');
    // date-dependent output is compared by shape in the cases themselves (len, fixed epochs)
    expect(live).toEqual(SPRIG_CASES.map((c) => expected.get(c.name) ?? live.find((r) => r.name === c.name)));
  }, 300_000);
});
