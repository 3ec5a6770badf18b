/**
 * The real bin runs wwctl's start-up bundle (scripts/bundle-wwctl.mjs, made
 * by `node scripts/run.mjs build`). Everything a bundled module finds
 * relative to itself must still resolve: shipped overlays and templates,
 * the overlay builder's worker pool (piscina lives in core's node_modules),
 * and the output must be what the same code prints in process.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, makeRoot, wwctl, wwctlProcess } from './helpers.js';

const BUNDLE = join(REPO, 'packages', 'wwctl', 'dist', 'bundle', 'wwctl.js');

function nodesConf(n: number): string {
  const lines = ['nodeprofiles:\n  default:\n    image name: rocky\n    kernel:\n      args: [quiet]\n    runtime overlay: [hosts]\n', 'nodes:\n'];
  for (let i = 1; i <= n; i++) {
    lines.push(`  n${String(i).padStart(3, '0')}:\n    network devices:\n      default:\n        hwaddr: 52:54:00:00:00:${i.toString(16).padStart(2, '0')}\n        ipaddr: 10.0.0.${i}\n`);
  }
  return lines.join('');
}

describe('the start-up bundle behind bin/wwctl.js', () => {
  it('exists after the build, so the suite drives it (bin falls back to dist/main.js only without one)', () => {
    expect(existsSync(BUNDLE)).toBe(true);
  });

  it('prints what wwctl in process prints (node list modes, export, profile list, overlay list of the shipped overlays)', async () => {
    const t = makeRoot(nodesConf(5));
    const cases = [
      ['node', 'list'], ['node', 'list', '-l'], ['node', 'list', '-n'], ['node', 'list', '-y'], ['node', 'list', '-j'],
      ['node', 'list', '-a', 'n001'], ['node', 'export'], ['profile', 'list', '-a'], ['overlay', 'list'],
    ];
    for (const args of cases) {
      const inProcess = await wwctl(t, ...args);
      const bin = await wwctlProcess(t, args).done;
      expect({ args, code: bin.code, stderr: bin.stderr }).toEqual({ args, code: 0, stderr: '' });
      expect(bin.stdout, args.join(' ')).toBe(inProcess.stdout);
    }
    expect((await wwctl(t, 'overlay', 'list')).stdout).toContain('wwinit');
  });

  it('builds 80 overlay images in its worker pool (piscina and the worker file resolve from the bundle)', async () => {
    const t = makeRoot(nodesConf(40));
    const r = await wwctlProcess(t, ['overlay', 'build']).done;
    expect(r.stderr).not.toContain('ERROR');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Built 80 overlay image\(s\), 0 up to date, 0 failed/);
  });
});
