/** Entry of dist/validate/validate.js (src/cli/standalone.ts). */
import { validate } from '../../src/cli/commands/validate.js';
import { standalone } from '../../src/cli/standalone.js';

export const run = standalone(validate);
