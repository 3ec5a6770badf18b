/**
 * The plain system/runtime overlay, served by decompressing `<file>.gz` when
 * only that is kept (the builder's case), has the static-file semantics of
 * §4.5 like any stored file: Content-Length, HEAD,
 * Range (206/416), and the ETag/304 that wwclient's polls rely on.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { httpGet, makeProvisionRoot, provisionApp, startTestDaemon } from '@warewulf/testenv';

const N1 = '00:00:00:ff:ff:ff';

/** A provision root whose n1 overlays exist only as `.gz`, with a system overlay of `size` random bytes. */
function gzOnly(size = 300_000) {
  const t = makeProvisionRoot();
  const dir = join(t.provisionDir, 'overlays', 'n1');
  const system = randomBytes(size);
  writeFileSync(join(dir, '__SYSTEM__.img.gz'), gzipSync(system));
  rmSync(join(dir, '__SYSTEM__.img'));
  rmSync(join(dir, '__RUNTIME__.img'));
  return { t, system };
}

describe('plain overlays decompressed from .gz keep static-file semantics', () => {
  it('GET has the right Content-Length and bytes; HEAD the same headers and no body', async () => {
    const { t, system } = gzOnly();
    const a = await provisionApp(t);
    const r = await a.request(`/system/${N1}`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-length']).toBe(String(system.length));
    expect(r.headers['accept-ranges']).toBe('bytes');
    expect(r.rawPayload.equals(system)).toBe(true);
    const head = await a.request(`/system/${N1}`, { method: 'HEAD' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-length']).toBe(String(system.length));
    expect(head.headers.etag).toBe(r.headers.etag);
    expect(head.rawPayload.length).toBe(0);
    const rt = await a.request(`/runtime/${N1}`);
    expect([rt.statusCode, rt.body, rt.headers['content-length']]).toEqual([200, 'runtime overlay', '15']);
  });

  it('Range: a first, a middle, an open and a suffix range are 206 with the right bytes; beyond the end is 416', async () => {
    const { t, system } = gzOnly();
    const a = await provisionApp(t);
    const cases: [string, number, number][] = [
      ['bytes=0-9', 0, 9],
      ['bytes=200000-200099', 200_000, 200_099],
      [`bytes=${system.length - 5}-`, system.length - 5, system.length - 1],
      ['bytes=-7', system.length - 7, system.length - 1],
      [`bytes=10-${system.length + 100}`, 10, system.length - 1],
    ];
    for (const [range, start, end] of cases) {
      const r = await a.request(`/system/${N1}`, { headers: { range } });
      expect(r.statusCode, range).toBe(206);
      expect(r.headers['content-range'], range).toBe(`bytes ${start}-${end}/${system.length}`);
      expect(r.headers['content-length'], range).toBe(String(end - start + 1));
      expect(r.rawPayload.equals(system.subarray(start, end + 1)), range).toBe(true);
    }
    const past = await a.request(`/system/${N1}`, { headers: { range: `bytes=${system.length}-` } });
    expect([past.statusCode, past.headers['content-range']]).toEqual([416, `bytes */${system.length}`]);
    // a stale If-Range gets the whole archive
    const stale = await a.request(`/system/${N1}`, { headers: { range: 'bytes=0-9', 'if-range': 'W/"0-0-plain"' } });
    expect([stale.statusCode, stale.rawPayload.length]).toEqual([200, system.length]);
  });

  it('If-None-Match with the ETag is a 304 without a body, and so is If-Modified-Since', async () => {
    const { t } = gzOnly();
    const a = await provisionApp(t);
    const r = await a.request(`/runtime/${N1}`);
    const etag = r.headers.etag as string;
    expect(etag).toMatch(/^W\/".*-plain"$/);
    const again = await a.request(`/runtime/${N1}`, { headers: { 'if-none-match': etag } });
    expect([again.statusCode, again.rawPayload.length]).toEqual([304, 0]);
    const since = await a.request(`/runtime/${N1}`, { headers: { 'if-modified-since': r.headers['last-modified'] as string } });
    expect(since.statusCode).toBe(304);
    expect((await a.request(`/runtime/${N1}`, { headers: { 'if-none-match': 'W/"other"' } })).statusCode).toBe(200);
    expect((await a.request(`/runtime/${N1}`, { headers: { 'if-match': 'W/"other"' } })).statusCode).toBe(412);
  });

  it('a multi-member .gz (as the overlay builder writes) has the length of all members, not the trailer\'s; a corrupt one is a 500', async () => {
    const { t } = gzOnly();
    const parts = [randomBytes(5000), randomBytes(300)];
    const file = join(t.provisionDir, 'overlays', 'n1', '__SYSTEM__.img.gz');
    writeFileSync(file, Buffer.concat(parts.map((p) => gzipSync(p))));
    const a = await provisionApp(t);
    const head = await a.request(`/system/${N1}`, { method: 'HEAD' });
    expect(head.headers['content-length']).toBe('5300');
    const tail = await a.request(`/system/${N1}`, { headers: { range: 'bytes=4990-5009' } });
    expect(tail.statusCode).toBe(206);
    expect(tail.rawPayload.equals(Buffer.concat(parts).subarray(4990, 5010))).toBe(true);
    writeFileSync(file, Buffer.from('not gzip at all'));
    const bad = await a.request(`/system/${N1}`);
    expect([bad.statusCode, bad.body]).toEqual([500, 'Internal Server Error\n']);
    expect(a.logs.some((l) => l.level === 50 && l.msg.startsWith(`cannot decompress ${file}: `))).toBe(true);
  });

  it('an archive bigger than the file cache takes is still served whole, without length or Range', async () => {
    const { t, system } = gzOnly(100_000);
    const { FileCache } = await import('../src/plugins/file-cache.js');
    const a = await provisionApp(t, { fileCache: new FileCache(50_000) });
    const r = await a.request(`/system/${N1}`, { headers: { range: 'bytes=0-9' } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-length']).toBeUndefined();
    expect(r.rawPayload.equals(system)).toBe(true);
  });

  it('over TCP: Range bytes=0-9 is 206 with those 10 bytes, HEAD has the plain length, If-None-Match is a 304', async () => {
    const { t, system } = gzOnly();
    const d = await startTestDaemon(t);
    const url = `${d.url}/system/${N1}`;
    const range = await httpGet(url, { headers: { range: 'bytes=0-9' } });
    expect(range.status).toBe(206);
    expect(range.headers['content-range']).toBe(`bytes 0-9/${system.length}`);
    expect(range.body.equals(system.subarray(0, 10))).toBe(true);
    const head = await httpGet(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(system.length));
    const full = await httpGet(url);
    expect(full.body.equals(system)).toBe(true);
    const cond = await httpGet(url, { headers: { 'if-none-match': full.headers.etag as string } });
    expect([cond.status, cond.body.length]).toEqual([304, 0]);
  });
});
