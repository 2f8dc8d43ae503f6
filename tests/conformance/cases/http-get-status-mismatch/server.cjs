// `node server.cjs PORT`: answers every GET with a 200 and notes that it listens;
// left alone, it ends after 10 s, noting "late".
const fs = require('node:fs');
const http = require('node:http');

http.createServer((_req, res) => res.end('ok')).listen(Number(process.argv[2]), '127.0.0.1', () => fs.appendFileSync('server.txt', 'listening\n'));
setTimeout(() => {
  fs.appendFileSync('server.txt', 'late\n');
  process.exit(0);
}, 10_000);
