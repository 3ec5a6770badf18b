// Disagreements found by the differential test, with Go's expected results.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { asGoJSONText, renderCase } from '../src/index.js';
import { readJsonl } from './helpers.js';

// regressions.jsonl: disagreements found by the differential runs (and their
// neighbours); edge-cases.jsonl: hand-written corner cases checked against Go.
const cases = ['regressions.jsonl', 'edge-cases.jsonl'].flatMap((f) => readJsonl(path.join(import.meta.dirname, 'fixtures', f)));

describe('differential regressions', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const [output, error] = renderCase(c.template_name ?? 'tpl', c.template, c.data ?? null, c.missingkey ?? 'default');
    expect({ output: asGoJSONText(output), error }).toEqual({ output: c.output, error: c.error });
  });
});
