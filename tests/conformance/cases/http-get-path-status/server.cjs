// `node server.cjs PORT`: GET /ready?probe=1 answers 202 (the first one noted in
// order.txt), GET /bye answers and exits, anything else is a 500: a probe of
// another path never passes, nor one that wants a 200.
const fs = require('node:fs');
const http = require('node:http');

let noted = false;
const server = http.createServer((req, res) => {
  if (req.url === '/ready?probe=1') {
    if (!noted) fs.appendFileSync('order.txt', 'accepted\n');
    noted = true;
    res.statusCode = 202;
    res.end();
  } else if (req.url === '/bye') {
    res.end('bye', () => process.exit(0));
  } else {
    res.statusCode = 500;
    res.end();
  }
});
server.listen(Number(process.argv[2]), '127.0.0.1');
