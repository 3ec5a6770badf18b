/**
 * The boot-storm bound (queue, timeout, 503 + Retry-After, aborted waiters)
 * and single-flight overlay builds (one build per node, concurrent requests
 * wait for it; a failed build is 404 without a file, 500 with one).
 */
import { describe, expect, it } from 'vitest';
import type { MergedNode } from '@warewulf/core';
import { StreamLimiter } from '@warewulf/warewulfd';
import { makeProvisionRoot, provisionApp } from '@warewulf/testenv';

const N1 = '00:00:00:ff:ff:ff';

describe('StreamLimiter', () => {
  it('grants up to the limit, queues FIFO, hands slots over on release', async () => {
    const seen: number[] = [];
    const l = new StreamLimiter(2, 10_000, 10, (s) => seen.push(s.queued));
    const r1 = await l.acquire();
    const r2 = await l.acquire();
    expect(l.stats).toEqual({ active: 2, queued: 0 });
    const order: number[] = [];
    const w3 = l.acquire().then((r) => (order.push(3), r));
    const w4 = l.acquire().then((r) => (order.push(4), r));
    expect(l.stats).toEqual({ active: 2, queued: 2 });
    r1?.();
    r1?.(); // idempotent
    const r3 = await w3;
    expect(l.stats).toEqual({ active: 2, queued: 1 });
    r2?.();
    const r4 = await w4;
    expect(order).toEqual([3, 4]);
    r3?.();
    r4?.();
    expect(l.stats).toEqual({ active: 0, queued: 0 });
    expect(Math.max(...seen)).toBe(2);
  });

  it('times out waiters, refuses past the queue bound and drops aborted waiters', async () => {
    const l = new StreamLimiter(1, 50, 1);
    const r1 = await l.acquire();
    expect(await l.acquire()).toBeUndefined(); // times out after 50 ms
    const waiting = l.acquire();
    expect(await l.acquire()).toBeUndefined(); // queue full: at once
    const ac = new AbortController();
    r1?.();
    const r2 = await waiting;
    expect(r2).toBeTypeOf('function');
    const aborted = l.acquire(ac.signal);
    ac.abort();
    expect(await aborted).toBeUndefined();
    expect(l.stats).toEqual({ active: 1, queued: 0 });
    r2?.();
    expect(l.stats.active).toBe(0);
  });
});

describe('boot-storm bound in the app', () => {
  it('answers 503 with Retry-After once a stream slot does not come free in time; small files are not bound', async () => {
    const t = makeProvisionRoot();
    const a = await provisionApp(t, { streamLimit: 1, streamQueueTimeoutMs: 100, retryAfter: 7 });
    const hold = await a.env.streams.acquire(); // a download that never finishes
    const r = await a.request(`/image/${N1}`);
    expect(r.statusCode).toBe(503);
    expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(7);
    expect(Number(r.headers['retry-after'])).toBeLessThanOrEqual(11);
    expect((await a.request(`/kernel/${N1}`)).statusCode).toBe(503);
    // overlays and scripts are small: not bound
    expect((await a.request(`/system/${N1}`)).statusCode).toBe(200);
    expect((await a.request(`/ipxe/${N1}`)).statusCode).toBe(200);
    const m = (await a.request('/metrics')).body;
    expect(m).toMatch(/warewulfd_busy_total 2/);
    expect(m).toMatch(/warewulfd_streams_active 1/);
    hold?.();
    const ok = await a.request(`/image/${N1}`);
    expect(ok.statusCode).toBe(200);
    expect(a.env.streams.stats).toEqual({ active: 0, queued: 0 });
  });
});

describe('hot boot files from memory', () => {
  it('serves the same bytes from memory, ranges included, and never a replaced file\'s old contents', async () => {
    const t = makeProvisionRoot({ imageBytes: 3 * 1024 * 1024 + 5 });
    const a = await provisionApp(t);
    const first = await a.request(`/image/${N1}`);
    expect(first.rawPayload.equals(t.files.image)).toBe(true);
    for (let i = 0; i < 100 && a.env.files.bytes === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(a.env.files.bytes).toBe(t.files.image.length);
    const cached = await a.request(`/image/${N1}`);
    expect(cached.rawPayload.equals(t.files.image)).toBe(true);
    const range = await a.request(`/image/${N1}`, { headers: { range: 'bytes=1000000-1999999' } });
    expect([range.statusCode, range.rawPayload.equals(t.files.image.subarray(1000000, 2000000))]).toEqual([206, true]);
    const tail = await a.request(`/image/${N1}`, { headers: { range: 'bytes=-7' } });
    expect(tail.rawPayload.equals(t.files.image.subarray(-7))).toBe(true);
    // a rebuilt image (a new file renamed into place, as the builders do)
    const next = Buffer.alloc(4096, 7);
    t.write('var/lib/warewulf/provision/images/suse.img.new', next);
    const { renameSync } = await import('node:fs');
    renameSync(`${t.provisionDir}/images/suse.img.new`, `${t.provisionDir}/images/suse.img`);
    const after = await a.request(`/image/${N1}`);
    expect(after.rawPayload.equals(next)).toBe(true);
  });

  it('answers an empty image with an empty 200, and a GET after a HEAD with the whole body', async () => {
    const t = makeProvisionRoot({ imageBytes: 70_000 });
    const a = await provisionApp(t);
    const head = await a.request(`/image/${N1}`, { method: 'HEAD' });
    expect([head.statusCode, head.headers['content-length'], head.rawPayload.length]).toEqual([200, String(t.files.image.length), 0]);
    const get = await a.request(`/image/${N1}`);
    expect([get.statusCode, get.rawPayload.equals(t.files.image)]).toEqual([200, true]);
    t.write('var/lib/warewulf/provision/images/suse.img', Buffer.alloc(0));
    const empty = await a.request(`/image/${N1}`);
    expect([empty.statusCode, empty.headers['content-length'], empty.rawPayload.length]).toEqual([200, '0', 0]);
  });
});

describe('single-flight overlay builds', () => {
  it('runs one build per node however many requests wait for it', async () => {
    const t = makeProvisionRoot();
    let builds = 0;
    let finish: () => void = () => undefined;
    const gate = new Promise<void>((res) => (finish = res));
    const a = await provisionApp(t, {
      overlayBuilder: {
        async ensureFresh(node: MergedNode) {
          builds++;
          await gate;
          t.write(`var/lib/warewulf/provision/overlays/${node.id}/__RUNTIME__.img.gz`, `built for ${node.id}`);
          return true;
        },
      },
    });
    const rs = Array.from({ length: 20 }, (_, i) => a.request(`/${i % 2 ? 'runtime' : 'system'}/${N1}?compress=gz`));
    await new Promise((res) => setTimeout(res, 50));
    expect(builds).toBe(1);
    expect(a.env.builder.running).toBe(1);
    finish();
    const done = await Promise.all(rs);
    expect(done.every((r) => r.statusCode === 200)).toBe(true);
    expect(done.filter((r) => r.body === 'built for n1')).toHaveLength(10);
    expect(builds).toBe(1);
    await a.request(`/runtime/${N1}?compress=gz`);
    expect(builds).toBe(2); // the next request asks again (the builder decides if it is stale)
    const m = (await a.request('/metrics')).body;
    expect(m).toMatch(/warewulfd_overlay_builds_total\{result="built"\} 2/);
    expect(m).toMatch(/warewulfd_overlay_build_duration_seconds_count 2/);
  });

  it('answers 404 when a failed build leaves no file and 500 when an old one is there', async () => {
    const t = makeProvisionRoot();
    const a = await provisionApp(t, { overlayBuilder: { ensureFresh: async () => Promise.reject(new Error('template exploded')) } });
    expect((await a.request(`/system/${N1}`)).statusCode).toBe(500);
    expect((await a.request('/system/00:00:00:00:ff:ff')).statusCode).toBe(404);
    expect(a.logs.some((l) => String(l.msg).includes('overlay build failed for n1: template exploded'))).toBe(true);
    expect((await a.request('/metrics')).body).toMatch(/warewulfd_overlay_builds_total\{result="failed"\} 2/);
  });
});
