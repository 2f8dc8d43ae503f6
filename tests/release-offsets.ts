/**
 * A setup file (vitest.config.ts `setupFiles`): runs in every test file's own
 * context, so its afterAll gives back the port offsets that file claimed
 * (tests/helpers/e2e.ts freeOffset). Setup files' hooks are registered first,
 * and after-hooks run last-registered first: this one runs after the file's
 * own afterAll has stopped its stacks.
 */
import { afterAll } from 'vitest';
import { releaseOffsets } from './helpers/e2e.js';

afterAll(releaseOffsets);
