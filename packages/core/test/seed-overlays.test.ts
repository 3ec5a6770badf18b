/** 4.3's `wwinit` system overlay in a nodes.conf written in 4.3's vocabulary (seed-era names). */
import { describe, expect, it } from 'vitest';
import { NodeMerger, parseNodesConf } from '../src/index.js';
import { SEED_WWINIT_OVERLAYS, seedSystemOverlays } from '../src/node/seed-overlays.js';

const overlays = (text: string, id: string) => {
  const n = new NodeMerger(parseNodesConf(text)).merge(id);
  return { system: n?.fields.get('SystemOverlay')?.value, runtime: n?.fields.get('RuntimeOverlay')?.value };
};

describe('seed-era overlay names', () => {
  it('reads wwinit in a 4.3 entity as the overlays that hold what 4.3 wwinit held; generic stays', () => {
    const got = overlays(`nodeprofiles:
  default:
    kernel args: quiet crashkernel=no
    system overlay: wwinit
    runtime overlay: generic
nodes:
  n1:
    container name: busybox
    network devices:
      eth0:
        hwaddr: 52:54:00:00:00:01
        default: true
`, 'n1');
    expect(got.system).toEqual([...SEED_WWINIT_OVERLAYS]);
    expect(got.system).toEqual(expect.arrayContaining(['wwinit', 'wwclient', 'hostname', 'issue', 'ifupdown']));
    expect(got.runtime).toEqual(['generic']);
  });

  it('keeps overlays the 4.3 list names itself where it names them, without repeats', () => {
    expect(seedSystemOverlays(['site', 'wwinit', 'hostname', 'extra'])).toEqual([
      'site', ...SEED_WWINIT_OVERLAYS.filter((n) => n !== 'hostname'), 'hostname', 'extra',
    ]);
    const list = ['a', 'b'];
    expect(seedSystemOverlays(list)).toBe(list);
  });

  it('reads an entity in today\'s vocabulary as written, wwinit alone included', () => {
    const got = overlays(`nodeprofiles:
  default:
    system overlay: [wwinit]
    runtime overlay: [generic]
nodes:
  n1:
    image name: busybox
    kernel:
      args: [quiet]
`, 'n1');
    expect(got.system).toEqual(['wwinit']);
    expect(got.runtime).toEqual(['generic']);
  });
});
