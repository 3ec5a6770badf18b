// Raw TCP on loopback for storm.mjs's baseline: every connection gets the same
// 1 MiB buffer written over and over until the client goes. argv: PORT
// (a backlog as deep as the daemon's: all connections arrive at once)
import { createServer } from 'node:net';

const buf = Buffer.alloc(1024 * 1024, 0x5a);
createServer((s) => {
  s.on('error', () => undefined);
  const pump = () => {
    while (!s.destroyed && s.write(buf));
  };
  s.on('drain', pump);
  pump();
}).listen(Number(process.argv[2]), '127.0.0.1', 4096);
