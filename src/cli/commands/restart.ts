/**
 * `core restart <svc>`: the service with its definition from the manifests and
 * `.env` as they are now (an apply of that one process, replaced even when
 * unchanged). Under process-compose, its own restart: the definition it has
 * (engines/process-compose/stack.ts).
 */
export { restart } from './apply.js';
