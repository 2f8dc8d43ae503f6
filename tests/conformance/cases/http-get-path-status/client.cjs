// `node client.cjs PORT`: GET /bye from the server (so it ends), noting the answer in order.txt.
const fs = require('node:fs');

fetch(`http://127.0.0.1:${process.argv[2]}/bye`)
  .then((res) => res.text())
  .then((text) => fs.appendFileSync('order.txt', `client got ${text}\n`));
