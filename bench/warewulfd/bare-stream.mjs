// The baseline a Node.js server cannot beat much: http + fs.createReadStream
// piped to the response, nothing else. argv: FILE PORT
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';

const [file, port] = process.argv.slice(2);
const size = statSync(file).size;
createServer((_req, res) => {
  res.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' });
  createReadStream(file, { highWaterMark: 256 * 1024 }).pipe(res);
}).listen(Number(port), '127.0.0.1');
