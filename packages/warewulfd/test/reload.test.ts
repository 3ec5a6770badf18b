/**
 * Reload without restart: edits of nodes.conf through wwctl and by hand are
 * served within 2 s (the daemon watches the directory), a broken edit keeps
 * the last good registry, and a download in flight during a reload completes
 * byte-identical.
 */
import { createHash } from 'node:crypto';
import { get } from 'node:http';
import { describe, expect, it } from 'vitest';
import { httpGet, makeProvisionRoot, startTestDaemon, wwctl } from '@warewulf/testenv';

const N1 = '00:00:00:ff:ff:ff';

async function waitFor(what: () => Promise<boolean>, ms: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (await what()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`not within ${ms} ms`);
}

const script = async (url: string, mac = N1) => (await httpGet(`${url}/ipxe/${mac}`)).body.toString();

describe('reload on change', () => {
  it('serves an edit made through wwctl, and one made by hand, within 2 s', async () => {
    const t = makeProvisionRoot();
    const d = await startTestDaemon(t);
    expect(await script(d.url)).toContain('Kernel args: quiet crashkernel=no vga=791');
    const r = await wwctl(t, 'node', 'set', '--yes', 'n1', '--kernelargs', 'quiet,console=ttyS0');
    expect(r.code).toBe(0);
    const ms1 = await waitFor(async () => (await script(d.url)).includes('Kernel args: quiet console=ttyS0'), 2000);
    // by hand, in place (no rename): a new node
    t.writeNodesConf(`${t.readNodesConf()}  n9:\n    network devices:\n      default:\n        hwaddr: 52:54:00:00:00:09\n`);
    const ms2 = await waitFor(async () => (await script(d.url, '52:54:00:00:00:09')).includes('Warewulf provisioning: n9'), 2000);
    expect(d.env.status.get('n9')).toMatchObject({ stage: 'ipxe' });
    // deleted through wwctl: unknown again, and gone from the status table
    expect((await wwctl(t, 'node', 'delete', '--yes', 'n9')).code).toBe(0);
    await waitFor(async () => (await script(d.url, '52:54:00:00:00:09')).includes('not known'), 2000);
    expect(d.env.status.get('n9')).toBeUndefined();
    expect(ms1 + ms2).toBeLessThan(4000);
    expect(d.logs.filter((l) => String(l.msg).startsWith('reloaded (nodes.conf changed)')).length).toBeGreaterThanOrEqual(3);
  });

  it('skips the parse when neither file changed since the last load (the watcher echo of a write)', async () => {
    const t = makeProvisionRoot();
    const d = await startTestDaemon(t, { watch: false });
    await d.reload();
    const first = d.env.registry.current;
    await d.reload();
    expect(d.env.registry.current).toBe(first);
    expect(d.logs.some((l) => String(l.msg).startsWith('nodes.conf and warewulf.conf unchanged'))).toBe(true);
    // a real change (a new inode from wwctl's atomic replace) is loaded again
    expect((await wwctl(t, 'node', 'set', '--yes', 'n1', '--comment', 'changed')).code).toBe(0);
    await d.reload();
    expect(d.env.registry.current).not.toBe(first);
    expect(d.env.registry.current.db.get('n1')?.fields.get('Comment')?.value).toBe('changed');
  });

  it('keeps serving the last good registry when an edit does not parse, and picks up the fix', async () => {
    const t = makeProvisionRoot();
    const d = await startTestDaemon(t);
    const good = t.readNodesConf();
    t.writeNodesConf(`${good}  broken: [\n`);
    await waitFor(async () => d.logs.some((l) => String(l.msg).startsWith('reload failed')), 2000);
    expect((await httpGet(`${d.url}/kernel/${N1}`)).status).toBe(200);
    t.writeNodesConf(good.replace('  n1:\n', '  n1:\n    comment: fixed\n    kernel:\n      args: [fixed=1]\n'));
    await waitFor(async () => (await script(d.url)).includes('Kernel args: fixed=1'), 2000);
    expect((await httpGet(`${d.url}/metrics`)).body.toString()).toMatch(/warewulfd_reloads_total\{result="error"\} [1-9]/);
  });

  it('completes a download in flight during a reload byte-identical', async () => {
    const t = makeProvisionRoot({ imageBytes: 24 * 1024 * 1024 + 3 });
    const d = await startTestDaemon(t);
    const hash = createHash('sha256');
    let bytes = 0;
    let paused!: () => void;
    const atPause = new Promise<void>((r) => (paused = r));
    let resume!: () => void;
    const done = new Promise<number>((resolve, reject) => {
      get(`${d.url}/image/${N1}`, (res) => {
        res.once('data', () => {
          res.pause();
          resume = () => res.resume();
          paused();
        });
        res.on('data', (c: Buffer) => {
          hash.update(c);
          bytes += c.length;
        });
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      }).on('error', reject);
    });
    await atPause;
    expect(bytes).toBeLessThan(t.files.image.length);
    // reload twice while the download waits: through wwctl (rename) and by hand
    expect((await wwctl(t, 'node', 'set', '--yes', 'n1', '--kernelargs', 'during=download')).code).toBe(0);
    await waitFor(async () => (await script(d.url)).includes('Kernel args: during=download'), 2000);
    t.writeNodesConf(t.readNodesConf().replace('during=download', 'after=reload'));
    await waitFor(async () => (await script(d.url)).includes('Kernel args: after=reload'), 2000);
    resume();
    expect(await done).toBe(200);
    expect(bytes).toBe(t.files.image.length);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(t.files.image).digest('hex'));
  });
});
