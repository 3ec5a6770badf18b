// Generated templates rendered by this engine and by the Go reference must
// agree. CI runs a slice; GOTEMPLATE_DIFF_COUNT raises it (the full run is
// `node bench/gotemplate/differential.mjs --count 20000`).
import { describe, expect, it, beforeAll } from 'vitest';
import { asGoJSONText, renderCase } from '../src/index.js';
// @ts-expect-error plain JS module shared with the bench script
import { buildReference, compare, runReference } from '../../../bench/gotemplate/differential.mjs';
// @ts-expect-error plain JS module shared with the bench script
import { generateCases } from '../../../bench/gotemplate/gen-cases.mjs';
// @ts-expect-error plain JS module shared with the bench script
import { generatePrintfCases } from '../../../bench/gotemplate/gen-printf.mjs';

const COUNT = Number(process.env.GOTEMPLATE_DIFF_COUNT ?? 2000);
const SEED = Number(process.env.GOTEMPLATE_DIFF_SEED ?? 20261125);

interface Bad {
  name: string;
  template: string;
  data: unknown;
  output: string;
  error: string | null;
  got: { output: string; error: string | null };
}

describe('differential vs Go text/template', () => {
  let bin = '';
  beforeAll(() => {
    bin = buildReference() as string;
  }, 600_000);

  it(`agrees on ${COUNT} generated cases`, () => {
    const cases = [...generateCases({ seed: SEED, count: COUNT }), ...generatePrintfCases({ seed: SEED, count: COUNT / 2 })];
    const ref = runReference(bin, cases);
    expect(ref).toHaveLength(cases.length);
    const bad = compare(cases, ref, renderCase, asGoJSONText) as Bad[];
    expect(bad.slice(0, 5)).toEqual([]);
  }, 120_000);
});
