/** wwctl's tests use the shared test environment, plus two checks of their own. */
import yaml from 'js-yaml';
import { expect } from 'vitest';
import { wwctl, type TestRoot } from '@warewulf/testenv';

export { REPO, SHARED, WWCTL_BIN, makeRoot, wwctl, wwctlProcess, type TestRoot, type RunResult } from '@warewulf/testenv';

/** The `nodes` map of the root's nodes.conf as YAML reads it. */
export const nodesOf = (t: TestRoot) => (yaml.load(t.readNodesConf()) as { nodes: Record<string, Record<string, unknown>> }).nodes;

/** `wwctl ARGS` is refused: exit 255, stderr matching `message`, and nodes.conf byte for byte as before (it loses nothing). */
export async function fails(t: TestRoot, args: string[], message: RegExp): Promise<void> {
  const before = t.readNodesConf();
  const r = await wwctl(t, ...args);
  expect(r.code, `${args.join(' ')}\n${r.stdout}${r.stderr}`).toBe(255);
  expect(r.stderr).toMatch(message);
  expect(t.readNodesConf()).toBe(before);
}
