/**
 * `node export` writes its map entry by entry (a 50,000-node dump is never
 * one string). The text must be what the whole map gave: JavaScript lists
 * keys that look like array indexes first, by number, and a node may be
 * called `__proto__`.
 */
import { describe, expect, it } from 'vitest';
import { YamlScalar } from '@warewulf/core';
import { formatYamlMap, objectKeyOrder, writeEntityMap } from '../src/output/node-list.js';
import { makeRoot, wwctl } from './helpers.js';

async function streamed(entries: [string, unknown][], indent?: number): Promise<{ text: string; pieces: number }> {
  let text = '';
  let pieces = 0;
  await writeEntityMap({
    write: (s: string) => {
      text += s;
      pieces++;
      return true;
    },
  }, entries, indent);
  return { text, pieces };
}

/** The whole map, built as the listings built it before they streamed. */
function whole(entries: [string, unknown][]): Record<string, unknown> {
  return Object.fromEntries(entries);
}

const NAMES = ['10', '9', '__proto__', 'b', '0', 'constructor', '007', '4294967295', '4294967294', 'n1'];
const entity = (i: number): Record<string, unknown> => ({
  comment: i % 2 === 0 ? `a<b&c ${i}` : new YamlScalar('6.10', 'float', 6.1),
  kernel: { args: ['quiet', `console=ttyS${i},115200`] },
  ...(i === 3 ? { ipmi: {} } : {}),
});

describe('entity maps written entry by entry', () => {
  it('objectKeyOrder puts array-index names first by number, as an object lists its keys', () => {
    const sorted = [...NAMES].sort();
    expect(objectKeyOrder(sorted)).toEqual(Object.keys(whole(sorted.map((n) => [n, 1]))));
    expect(objectKeyOrder(['b', 'a'])).toEqual(['b', 'a']);
  });

  it('the text equals the whole map\'s, for names JavaScript treats specially and for no names', async () => {
    for (const names of [NAMES, [], ['only']]) {
      const entries: [string, unknown][] = objectKeyOrder([...names].sort()).map((n, i) => [n, entity(i)]);
      const map = whole(entries);
      expect((await streamed(entries)).text).toBe(formatYamlMap(map, 2));
      expect((await streamed(entries, 4)).text).toBe(formatYamlMap(map, 4));
    }
  });

  it('a large map is written in pieces, not as one string', async () => {
    const entries: [string, unknown][] = Array.from({ length: 20_000 }, (_, i) => [`n${i}`, entity(i)]);
    const out = await streamed(entries);
    expect(out.pieces).toBeGreaterThan(1);
    expect(out.text).toBe(formatYamlMap(whole(entries), 2));
  });

  it('wwctl node list -y/-j and node export list index-like names first and keep __proto__', async () => {
    const t = makeRoot('nodeprofiles:\n  default: {}\nnodes:\n  "10":\n    comment: ten\n  "9": {}\n  __proto__:\n    comment: p\n  b: {}\n');
    const y = await wwctl(t, 'node', 'list', '-y');
    expect(y.code).toBe(0);
    expect([...y.stdout.matchAll(/^(\S[^:]*):/gm)].map((m) => m[1])).toEqual(['"9"', '"10"', '__proto__', 'b']);
    const j = await wwctl(t, 'node', 'list', '-j');
    expect(Object.keys(JSON.parse(j.stdout) as object)).toEqual(['9', '10', '__proto__', 'b']);
    const e = await wwctl(t, 'node', 'export');
    expect(e.stdout).toContain('__proto__:\n  comment: p\n');
  });
});
