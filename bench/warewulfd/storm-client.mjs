// One load-generator process of storm.mjs. argv[2] is a JSON job:
//  {mode: 'storm', url, from, to, concurrency, sizes: {kernel, image}, overlaySizesFile, verify: {kernelSha, imageSha}, verifyEvery}
//    simulates nodes from..to (one keep-alive connection each, as iPXE), every file checked by status and
//    length (overlays: node i's from overlaySizesFile, {system: [..], runtime: [..]} indexed by i)
//    and every `verifyEvery`-th node's kernel and image by SHA-256; 503s are retried after Retry-After.
//  {mode: 'blast', host, port, connections, seconds}
//    reads from a raw TCP server as fast as it can: loopback throughput through the same socket reads.
// Prints one JSON line: {bytes, seconds, cpuSeconds (this process's user+system), failures: [...], retries}.
//
// Both modes read sockets the same way: into one reused 1 MiB buffer (net's `onread`), no allocation per
// read. The storm speaks HTTP/1.1 itself (a request line out; status, Content-Length and Retry-After in;
// the body counted, and hashed where verified), as cheap per byte as the blast's reads, the way iPXE's
// small C client is cheap: Node's http client costs more CPU than the daemon it measures, and on two
// cores the load generator's CPU is taken from the server.
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';

const job = JSON.parse(process.argv[2]);
const mac = (i) => `52-54-00-${((i >> 16) & 255).toString(16).padStart(2, '0')}-${((i >> 8) & 255).toString(16).padStart(2, '0')}-${(i & 255).toString(16).padStart(2, '0')}`;
const READ_BUFFER = Buffer.allocUnsafe(1024 * 1024);
const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * A keep-alive HTTP/1.1 connection that runs one GET at a time:
 * get(path, hash) resolves {status, bytes, sha, retryAfter} or {status: 0, error}.
 */
function connection(host, port) {
  let current; // {resolve, head: Buffer[], length, got, hash, status, retryAfter}
  let broken;
  const finish = (r) => {
    const c = current;
    current = undefined;
    c?.resolve(r);
  };
  const fail = (msg) => {
    broken ??= msg;
    if (current) finish({ status: 0, bytes: current.got ?? 0, error: msg });
  };
  const body = (buf, start, end) => {
    const c = current;
    const n = Math.min(end - start, c.length - c.got);
    if (n > 0) {
      c.got += n;
      c.hash?.update(buf.subarray(start, start + n));
    }
    if (start + n < end) return fail(`${end - start - n} bytes after the body`);
    if (c.got === c.length) finish({ status: c.status, bytes: c.got, sha: c.hash?.digest('hex'), retryAfter: c.retryAfter });
  };
  const socket = connect({
    host,
    port,
    onread: {
      buffer: READ_BUFFER,
      callback(nread, buf) {
        const c = current;
        if (!c) return void fail('data while no request was out');
        if (c.length !== undefined) return void body(buf, 0, nread);
        // the head: kept (copied) until its blank line; rarely more than one read
        c.head.push(Buffer.from(buf.subarray(0, nread)));
        const all = c.head.length === 1 ? c.head[0] : Buffer.concat(c.head);
        const at = all.indexOf(HEAD_END);
        if (at < 0) return void (all.length > 65536 && fail('response head over 64 KiB'));
        const lines = all.subarray(0, at).toString('latin1').split('\r\n');
        c.status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1] ?? 0);
        for (const l of lines.slice(1)) {
          const k = l.slice(0, l.indexOf(':')).toLowerCase();
          const v = l.slice(l.indexOf(':') + 1).trim();
          if (k === 'content-length') c.length = Number(v);
          else if (k === 'retry-after') c.retryAfter = Number(v);
          else if (k === 'transfer-encoding') return void fail(`unexpected transfer-encoding ${v}`);
        }
        if (c.length === undefined) return void fail(`no Content-Length (status ${c.status})`);
        c.got = 0;
        body(all, at + 4, all.length);
      },
    },
  });
  socket.setNoDelay(true);
  socket.on('error', (e) => fail(e.message));
  socket.on('close', () => fail('connection closed'));
  return {
    get(path, hash) {
      if (broken) return Promise.resolve({ status: 0, bytes: 0, error: broken });
      return new Promise((resolve) => {
        current = { resolve, head: [], hash: hash ? createHash('sha256') : undefined };
        socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`);
      });
    },
    close: () => socket.destroy(),
  };
}

async function storm() {
  const started = process.hrtime.bigint();
  const { hostname: host, port } = new URL(job.url);
  let bytes = 0;
  let retries = 0;
  const failures = [];
  let next = job.from;
  const q = '?assetkey=&uuid=00000000-0000-0000-0000-000000000000';
  const stages = [
    ['ipxe', '', undefined],
    ['kernel', '', job.sizes.kernel],
    ['image', '&compress=gz', job.sizes.image],
    ['system', '&compress=gz', 'system'],
    ['runtime', '&compress=gz', 'runtime'],
  ];
  const overlaySizes = JSON.parse(readFileSync(job.overlaySizesFile, 'utf8'));
  const node = async (i) => {
    let conn = connection(host, Number(port));
    const verify = i % job.verifyEvery === 0;
    try {
      for (const [stage, extra, sizeOf] of stages) {
        const size = typeof sizeOf === 'string' ? overlaySizes[sizeOf][i] : sizeOf;
        for (let attempt = 0; ; attempt++) {
          const r = await conn.get(`/${stage}/${mac(i)}${q}${extra}`, verify && (stage === 'kernel' || stage === 'image'));
          bytes += r.bytes;
          if (r.status === 503 && attempt < 20) {
            retries++;
            await new Promise((res) => setTimeout(res, (r.retryAfter || 1) * 1000));
            continue;
          }
          if (r.status !== 200) failures.push(`${mac(i)} ${stage}: status ${r.status} ${r.error ?? ''}`);
          else if (size !== undefined && r.bytes !== size) failures.push(`${mac(i)} ${stage}: ${r.bytes} bytes, expected ${size}`);
          else if (r.sha && r.sha !== job.verify[`${stage}Sha`]) failures.push(`${mac(i)} ${stage}: content differs`);
          // a node whose connection broke goes on, as iPXE would, on a new one
          if (r.status === 0) {
            conn.close();
            conn = connection(host, Number(port));
          }
          break;
        }
      }
    } finally {
      conn.close();
    }
  };
  const lane = async () => {
    while (next <= job.to) await node(next++);
  };
  await Promise.all(Array.from({ length: job.concurrency }, lane));
  return { bytes, seconds: Number(process.hrtime.bigint() - started) / 1e9, failures, retries };
}

async function blast() {
  let bytes = 0;
  const end = Date.now() + job.seconds * 1000;
  await Promise.all(
    Array.from({ length: job.connections }, () => new Promise((resolve) => {
      const s = connect({
        host: job.host,
        port: job.port,
        onread: {
          buffer: READ_BUFFER,
          callback(nread) {
            if (Date.now() <= end) bytes += nread;
            else s.destroy();
          },
        },
      });
      const stop = setTimeout(() => s.destroy(), Math.max(0, end - Date.now()));
      s.on('close', () => clearTimeout(stop));
      s.on('close', resolve);
      s.on('error', resolve);
    })),
  );
  return { bytes, seconds: job.seconds, failures: [], retries: 0 };
}

const out = job.mode === 'blast' ? await blast() : await storm();
const { user, system } = process.cpuUsage();
process.stdout.write(`${JSON.stringify({ ...out, cpuSeconds: (user + system) / 1e6, failures: out.failures.slice(0, 20), failureCount: out.failures.length })}\n`);
