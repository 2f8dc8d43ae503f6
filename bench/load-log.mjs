// `node --import bench/load-log.mjs …`: appends the URL of every module the
// process loads to $CORE_BENCH_LOAD_LOG (bench/metrics.mjs reads it).
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
import fs from 'node:fs';
export async function load(url, context, next) {
  if (process.env.CORE_BENCH_LOAD_LOG) fs.appendFileSync(process.env.CORE_BENCH_LOAD_LOG, url + '\\n');
  return next(url, context);
}`)}`,
);
