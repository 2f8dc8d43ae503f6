/**
 * `core start <svc…>`: bring these services (and what they depend on) up in
 * the running stack, as the stack defines them now; returns once they are
 * ready. Under process-compose, its own start (engines/process-compose/stack.ts).
 */
export { start } from './apply.js';
