/**
 * Node built-ins that cost a few milliseconds to load (measured: `node:crypto`
 * ~6 ms, `node:http` ~5 ms on the project's machine, against a ~60 ms bare
 * Node start-up), loaded on first use instead of at import time, so `core
 * status` and `core validate` pay for them only on the paths that need them.
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

export const lazyCrypto = (): typeof import('node:crypto') => load('node:crypto') as typeof import('node:crypto');
export const lazyHttp = (): typeof import('node:http') => load('node:http') as typeof import('node:http');
