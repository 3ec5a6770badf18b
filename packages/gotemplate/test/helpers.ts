import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const sharedDir = path.resolve(repoRoot, '..', 'shared');

export interface GoldenCase {
  name: string;
  template: string;
  data?: unknown;
  missingkey?: string;
  template_name?: string;
  output: string;
  error: string | null;
}

export function readJsonl(file: string): GoldenCase[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as GoldenCase);
}
