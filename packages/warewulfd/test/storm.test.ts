/**
 * A boot storm on loopback against the real binary: 500 nodes at once, each
 * fetching its iPXE script, kernel, image and both overlays the way iPXE
 * does (one keep-alive connection per node), 10% of them dropping the
 * connection in the middle of the image. Every completed download is
 * byte-identical, the daemon stays up, its file descriptors return to where
 * they were, and its peak RSS is reported.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { httpGet, makeProvisionRoot, spawnDaemon } from '@warewulf/testenv';

const NODES = 500;
const mac = (i: number) => `52:54:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
const name = (i: number) => `n${String(i).padStart(3, '0')}`;

function fetchInto(agent: Agent, url: string, expected: Buffer | undefined, abortAfterFirstChunk: boolean): Promise<'ok' | 'aborted' | string> {
  return new Promise((resolve) => {
    const req = get(url, { agent }, (res) => {
      let off = 0;
      let bad = '';
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => {
        if (abortAfterFirstChunk) {
          req.destroy();
          resolve('aborted');
          return;
        }
        if (expected === undefined) parts.push(c);
        else if (bad === '' && !expected.subarray(off, off + c.length).equals(c)) bad = `differs at ${off}`;
        off += c.length;
      });
      res.on('end', () => {
        if (res.statusCode !== 200) return resolve(`status ${res.statusCode}`);
        if (expected === undefined) return resolve(Buffer.concat(parts).toString().startsWith('#!ipxe') ? 'ok' : 'not a script');
        resolve(bad !== '' ? bad : off !== expected.length ? `length ${off}/${expected.length}` : 'ok');
      });
      res.on('error', (e) => resolve(abortAfterFirstChunk ? 'aborted' : e.message));
    });
    req.on('error', (e) => resolve(abortAfterFirstChunk ? 'aborted' : e.message));
  });
}

const fds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;
const peakRssMiB = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

describe('boot storm', () => {
  it('500 concurrent nodes, 10% aborting mid-image: every completed download byte-identical, daemon up, no fd leak', async () => {
    let conf = 'nodeprofiles:\n  default:\n    image name: suse\nnodes:\n';
    for (let i = 1; i <= NODES; i++) conf += `  ${name(i)}:\n    network devices:\n      default:\n        hwaddr: "${mac(i)}"\n`;
    const t = makeProvisionRoot({ nodesConf: conf, kernelBytes: 1024 * 1024, imageBytes: 2 * 1024 * 1024, warewulfExtra: '  stream limit: 128\n' });
    const overlay = new Map<string, Buffer>();
    for (let i = 1; i <= NODES; i++) {
      for (const kind of ['SYSTEM', 'RUNTIME']) {
        const gz = gzipSync(`${kind.toLowerCase()} overlay of ${name(i)}\n`.repeat(50));
        overlay.set(`${name(i)}/${kind}`, gz);
        t.write(`var/lib/warewulf/provision/overlays/${name(i)}/__${kind}__.img.gz`, gz);
      }
    }
    const d = await spawnDaemon(t);
    try {
      // warm up one node so lazily opened descriptors exist before the baseline
      expect((await httpGet(`${d.url}/ipxe/${mac(1)}`)).status).toBe(200);
      const fdsBefore = fds(d.pid);
      const started = Date.now();
      const results = await Promise.all(
        Array.from({ length: NODES }, async (_, k) => {
          const i = k + 1;
          const agent = new Agent({ keepAlive: true, maxSockets: 1 });
          const base = `${d.url}`;
          const q = '?assetkey=&uuid=';
          const out: string[] = [];
          try {
            out.push(await fetchInto(agent, `${base}/ipxe/${mac(i)}${q}`, undefined, false));
            out.push(await fetchInto(agent, `${base}/kernel/${mac(i)}${q}`, t.files.kernel, false));
            const image = await fetchInto(agent, `${base}/image/${mac(i)}${q}&compress=gz`, t.files.imageGz, i % 10 === 0);
            out.push(image);
            if (image === 'aborted') return out;
            out.push(await fetchInto(agent, `${base}/system/${mac(i)}${q}&compress=gz`, overlay.get(`${name(i)}/SYSTEM`), false));
            out.push(await fetchInto(agent, `${base}/runtime/${mac(i)}${q}&compress=gz`, overlay.get(`${name(i)}/RUNTIME`), false));
            return out;
          } finally {
            agent.destroy();
          }
        }),
      );
      const seconds = (Date.now() - started) / 1000;
      const flat = results.flat();
      const failures = flat.filter((r) => r !== 'ok' && r !== 'aborted');
      expect(failures).toEqual([]);
      expect(flat.filter((r) => r === 'aborted')).toHaveLength(NODES / 10);
      expect(flat.filter((r) => r === 'ok')).toHaveLength(NODES * 5 - (NODES / 10) * 3);
      // the daemon is up and has served everyone
      const status = JSON.parse((await httpGet(`${d.url}/status`)).body.toString()) as { nodes: Record<string, { stage: string }> };
      expect(Object.values(status.nodes).filter((n) => n.stage === 'runtime')).toHaveLength(NODES - NODES / 10);
      let fdsAfter = fds(d.pid);
      for (let i = 0; i < 100 && fdsAfter > fdsBefore; i++) {
        await new Promise((r) => setTimeout(r, 50));
        fdsAfter = fds(d.pid);
      }
      expect(fdsAfter).toBeLessThanOrEqual(fdsBefore);
      const metrics = (await httpGet(`${d.url}/metrics`)).body.toString();
      expect(metrics).toMatch(/warewulfd_streams_active 0/);
      expect(metrics).toMatch(/warewulfd_stream_queue_depth 0/);
      const moved = NODES * (t.files.kernel.length + t.files.imageGz.length);
      console.log(
        `boot storm: ${NODES} nodes, ${flat.length} requests, ${(moved / 2 ** 20).toFixed(0)} MiB of kernel+image in ${seconds.toFixed(1)} s; ` +
          `daemon fds ${fdsBefore} -> ${fdsAfter}, peak RSS ${peakRssMiB(d.pid).toFixed(0)} MiB`,
      );
    } finally {
      expect(await d.stop()).toBe(0);
    }
  });
});
