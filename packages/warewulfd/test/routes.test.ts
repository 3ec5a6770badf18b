/**
 * Every route through inject(): upstream's handler test (§4.5) first, then
 * each stage's success and error statuses, aliases, wwid forms, compress,
 * the unknown-node rules and the status table entries they leave.
 */
import { describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { makeProvisionRoot, provisionApp } from '@warewulf/testenv';

const N1 = '00:00:00:ff:ff:ff';
const N2 = '00:00:00:00:ff:ff';
const N3 = '00:00:00:00:00:ff';

async function setup(o: Parameters<typeof makeProvisionRoot>[0] = {}) {
  const t = makeProvisionRoot(o);
  // upstream's handler test renders this grub template
  t.write('etc/warewulf/grub/grub.cfg.ww', '{{ .Tags.GrubMenuEntry }} {{ .Authority }}');
  const a = await provisionApp(t);
  return { t, a };
}

describe('upstream handler test (§4.5)', () => {
  it('serves the table of the upstream test', async () => {
    const { a, t } = await setup();
    try {
      const sys = await a.request(`/provision/${N1}?stage=system`, { peer: '10.10.10.10:9873' });
      expect([sys.statusCode, sys.body]).toEqual([200, 'system overlay']);
      const rt = await a.request(`/provision/${N1}?stage=runtime`);
      expect([rt.statusCode, rt.body]).toEqual([200, 'runtime overlay']);
      const grub = await a.request(`/provision/${N2}?stage=grub`, { peer: '10.10.10.11:9873' });
      expect([grub.statusCode, grub.body]).toEqual([200, 'dracut 10.10.0.1:9873']);
      const initramfs = await a.request(`/provision/${N1}?stage=initramfs`);
      expect(initramfs.statusCode).toBe(200);
      expect(initramfs.rawPayload.equals(t.files.initramfs)).toBe(true);
      const ipxe = await a.request(`/provision/${N3}?stage=ipxe`, { peer: '10.10.10.12:9873' });
      expect([ipxe.statusCode, ipxe.body]).toEqual([200, `1.1.1 ifname=net:${N3}  10.10.0.1 fd00:10::1 10.10.0.1:9873`]);
      const ipxe6 = await a.request(`/provision/${N3}?stage=ipxe`, { peer: '[fd00:10::10:12]:9873' });
      expect([ipxe6.statusCode, ipxe6.body]).toEqual([200, `1.1.1 ifname=net:${N3}  10.10.0.1 fd00:10::1 [fd00:10::1]:9873`]);
    } finally {
      await a.close();
    }
  });
});
