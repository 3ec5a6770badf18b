// storm.mjs's second baseline: a bare Node.js http server answering the
// storm's five requests per node with the same bytes as warewulfd (a fixed
// script, the kernel and the image from memory, the node's overlay images
// read from disk) and nothing else: no node lookup, checks, status, metrics.
// What the daemon costs over plain HTTP with the same clients.
// argv: ROOT PORT KERNEL_PATH
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { nodeName } from './lib.mjs';

const [root, port, kernelPath] = process.argv.slice(2);
const kernel = readFileSync(kernelPath);
const image = readFileSync(join(root, 'var/lib/warewulf/provision/images/bench.img.gz'));
const script = Buffer.from('#!ipxe\necho baseline\n'.repeat(40));
const CHUNK = 1024 * 1024;
const sendBuf = (res, buf) => {
  res.writeHead(200, { 'content-length': buf.length, 'content-type': 'application/octet-stream' });
  let pos = 0;
  const more = () => {
    while (pos < buf.length) {
      const ok = res.write(buf.subarray(pos, Math.min(buf.length, pos + CHUNK)));
      pos += CHUNK;
      if (!ok) return void res.once('drain', more);
    }
    res.end();
  };
  more();
};
const server = createServer((req, res) => {
  const [, stage, wwid] = req.url.split('?')[0].split('/');
  if (stage === 'ipxe') return sendBuf(res, script);
  if (stage === 'kernel') return sendBuf(res, kernel);
  if (stage === 'image') return sendBuf(res, image);
  const i = parseInt(wwid.split('-').slice(3).join(''), 16);
  const file = join(root, 'var/lib/warewulf/provision/overlays', nodeName(i), `__${stage.toUpperCase()}__.img.gz`);
  res.writeHead(200, { 'content-length': statSync(file).size, 'content-type': 'application/octet-stream' });
  createReadStream(file).pipe(res);
});
// as warewulfd's: a node's idle connection between two requests is not closed under it
server.keepAliveTimeout = 30_000;
server.listen(Number(port), '127.0.0.1', 4096);
