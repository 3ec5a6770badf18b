/**
 * `node boot-server-cli.js --dir DIR --host ADDR --port N [--secure]`: the
 * boot fixture server as a process, to run inside a network namespace. It
 * prints `{"listening":PORT}` once it listens, then one JSON line per request
 * (a `BootRequest`), and exits on SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startBootServer } from './boot-server.js';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    host: { type: 'string', default: '0.0.0.0' },
    port: { type: 'string', default: '0' },
    secure: { type: 'boolean', default: false },
  },
});
if (!values.dir) {
  process.stderr.write('usage: boot-server-cli --dir DIR [--host ADDR] [--port N] [--secure]\n');
  process.exit(2);
}
const server = await startBootServer({
  dir: values.dir,
  host: values.host,
  port: Number(values.port),
  secure: values.secure,
  onRequest: (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
});
process.stdout.write(`${JSON.stringify({ listening: server.port })}\n`);
const stop = (): void => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
