// One load-generator process of storm.mjs. argv[2] is a JSON job:
//  {mode: 'storm', url, from, to, concurrency, sizes: {kernel, image}, overlaySizesFile, verify: {kernelSha, imageSha}, verifyEvery}
//    simulates nodes from..to (one keep-alive connection each, as iPXE), every file checked by length
//    (overlays: node i's from overlaySizesFile, {system: [..], runtime: [..]} indexed by i)
//    and every `verifyEvery`-th node's kernel and image by SHA-256; 503s are retried after Retry-After.
//  {mode: 'blast', host, port, connections, seconds}
//    reads from a raw TCP server as fast as it can: loopback throughput through the same client.
// Prints one JSON line: {bytes, seconds, cpuSeconds (this process's user+system), failures: [...], retries}.
import { createHash } from 'node:crypto';
import { Agent, get } from 'node:http';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';

const job = JSON.parse(process.argv[2]);
const mac = (i) => `52-54-00-${((i >> 16) & 255).toString(16).padStart(2, '0')}-${((i >> 8) & 255).toString(16).padStart(2, '0')}-${(i & 255).toString(16).padStart(2, '0')}`;

function fetchOne(agent, url, hash) {
  return new Promise((resolve) => {
    const req = get(url, { agent }, (res) => {
      let n = 0;
      const h = hash ? createHash('sha256') : undefined;
      res.on('data', (c) => {
        n += c.length;
        h?.update(c);
      });
      res.on('end', () => resolve({ status: res.statusCode, bytes: n, sha: h?.digest('hex'), retryAfter: Number(res.headers['retry-after'] ?? 0) }));
      res.on('error', (e) => resolve({ status: 0, bytes: n, error: e.message }));
    });
    req.on('error', (e) => resolve({ status: 0, bytes: 0, error: e.message }));
  });
}

async function storm() {
  const started = process.hrtime.bigint();
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
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const verify = i % job.verifyEvery === 0;
    try {
      for (const [stage, extra, sizeOf] of stages) {
        const size = typeof sizeOf === 'string' ? overlaySizes[sizeOf][i] : sizeOf;
        for (let attempt = 0; ; attempt++) {
          const r = await fetchOne(agent, `${job.url}/${stage}/${mac(i)}${q}${extra}`, verify && (stage === 'kernel' || stage === 'image'));
          bytes += r.bytes;
          if (r.status === 503 && attempt < 20) {
            retries++;
            await new Promise((res) => setTimeout(res, (r.retryAfter || 1) * 1000));
            continue;
          }
          if (r.status !== 200) failures.push(`${mac(i)} ${stage}: status ${r.status} ${r.error ?? ''}`);
          else if (size !== undefined && r.bytes !== size) failures.push(`${mac(i)} ${stage}: ${r.bytes} bytes, expected ${size}`);
          else if (r.sha && r.sha !== job.verify[`${stage}Sha`]) failures.push(`${mac(i)} ${stage}: content differs`);
          break;
        }
      }
    } finally {
      agent.destroy();
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
      const s = connect({ host: job.host, port: job.port });
      const stop = setTimeout(() => s.destroy(), Math.max(0, end - Date.now()));
      s.on('data', (c) => {
        if (Date.now() <= end) bytes += c.length;
        else s.destroy();
      });
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
