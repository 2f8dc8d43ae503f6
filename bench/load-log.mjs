// `node --import bench/load-log.mjs …` (or in NODE_OPTIONS): appends "<pid> <url>" for every
// module the process loads to $CORE_BENCH_LOAD_LOG (bench/metrics.mjs and
// tests/e2e/metrics.test.ts read it).
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
import fs from 'node:fs';
export async function load(url, context, next) {
  if (process.env.CORE_BENCH_LOAD_LOG) fs.appendFileSync(process.env.CORE_BENCH_LOAD_LOG, process.pid + ' ' + url + '\\n');
  return next(url, context);
}`)}`,
);
