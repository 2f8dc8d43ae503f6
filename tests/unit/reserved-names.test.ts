/**
 * A service folder named like a top-level command would make commander refuse
 * the whole command tree (services get commands of their own): every command
 * and alias is a reserved name, so a new command cannot forget it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { RESERVED_NAMES } from '../../src/manifest/rules.js';

it('every top-level command and alias is a reserved service name', () => {
  // A project with no services: only core's own commands (never the checkout's services/).
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'core-reserved-'));
  fs.mkdirSync(path.join(root, 'services'));
  const program = buildProgram({ env: { CORE_ROOT: root }, self: [] });
  fs.rmSync(root, { recursive: true });
  const names = program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
  expect(names.length).toBeGreaterThan(10);
  expect(names.filter((n) => !RESERVED_NAMES.has(n))).toEqual([]);
});
