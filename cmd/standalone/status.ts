/** Entry of dist/status/status.js (src/cli/standalone.ts). */
import { status } from '../../src/cli/commands/status.js';
import { standalone } from '../../src/cli/standalone.js';

export const run = standalone(status);
