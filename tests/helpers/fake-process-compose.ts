/**
 * A fake `process-compose` for a PATH (no real binary is needed): a small Node
 * program that answers `version`, and for `up` serves the REST routes `core`
 * uses on the `-u` socket (one process, `app`; a reload changes nothing; FAKE_PC_MODE=fail makes it
 * fail) until `POST /project/stop`.
 */
export const FAKE_PROCESS_COMPOSE = `#!${process.execPath}
const http = require('node:http');
const args = process.argv.slice(2);
if (args[0] === 'version') { console.log('Process Compose v1.122.0'); process.exit(0); }
const socket = args[args.indexOf('-u') + 1];
const fail = process.env.FAKE_PC_MODE === 'fail';
const app = fail
  ? { name: 'app', status: 'Error', is_running: false, is_ready: '-', exit_code: 3, restarts: 0, age: 0, pid: 0 }
  : { name: 'app', status: 'Running', is_running: true, is_ready: '-', exit_code: 0, restarts: 0, age: 60e9, pid: process.pid };
http.createServer((request, response) => {
  const reply = (body) => { response.writeHead(200, { 'content-type': 'application/json' }); response.end(JSON.stringify(body)); };
  if (request.url === '/processes') return reply({ data: [app] });
  if (request.url.startsWith('/process/logs/app/')) return reply({ logs: ['app: cannot open its database'] });
  if (request.url === '/project/configuration') return reply({}); // a reload that changes nothing
  if (request.url === '/project/stop') { reply({}); return setImmediate(() => process.exit(0)); }
  response.writeHead(404); response.end('{"error":"not found"}');
}).listen(socket);
`;
