// A tiny HTTP server for the http_get cases: `node server.cjs PORT`. GET / is
// healthy (200; the first one is noted in order.txt), GET /bye answers and exits,
// anything else is a 500, so a probe of the wrong path never passes.
const fs = require('node:fs');
const http = require('node:http');

let noted = false;
const server = http.createServer((req, res) => {
  if (req.url === '/') {
    if (!noted) fs.appendFileSync('order.txt', 'healthy\n');
    noted = true;
    res.end('ok');
  } else if (req.url === '/bye') {
    res.end('bye', () => process.exit(0));
  } else {
    res.statusCode = 500;
    res.end();
  }
});
server.listen(Number(process.argv[2]), '127.0.0.1');
