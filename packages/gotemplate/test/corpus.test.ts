// The golden corpus of the Go reference (Go 1.19.8): every case must give the
// same output, or the same error text.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { asGoJSONText, renderCase } from '../src/index.js';
import { readJsonl, sharedDir } from './helpers.js';

const corpus = readJsonl(path.join(sharedDir, 'tools/gotemplate-ref/corpus.jsonl'));

describe('gotemplate-ref corpus', () => {
  it('has the cases', () => {
    expect(corpus.length).toBeGreaterThan(300);
  });
  it.each(corpus.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const [output, error] = renderCase(c.template_name ?? 'tpl', c.template, c.data ?? null, c.missingkey ?? 'default');
    expect({ output: asGoJSONText(output), error }).toEqual({ output: c.output, error: c.error });
  });
});
