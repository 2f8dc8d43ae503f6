/**
 * A hostile value from the environment, passed through a manifest, reaches the
 * service byte for byte and nothing executes it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { e2eProject } from '../helpers/e2e.js';

const HOSTILE = ['$(touch PWNED)', '`touch PWNED`', '{{.}}', '$HOME', '${HOME}', 'two\nlines', `"double" and 'single'`, '$$', '\\$x', '; touch PWNED #'];
const env = Object.fromEntries(HOSTILE.map((value, i) => [`HOSTILE_${i}`, value]));

const project = e2eProject(21000, {
  hostile: () => ({
    name: 'hostile',
    process: {
      command: 'node',
      args: [
        '-e',
        "require('fs').writeFileSync(process.argv[1], JSON.stringify({ env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('HOSTILE_'))), argv: process.argv.slice(2) })); console.log('written'); setInterval(() => {}, 1000)",
        '${data}/hostile/received.json',
        ...HOSTILE.map((_, i) => `\${env.HOSTILE_${i}}`),
      ],
      env: Object.fromEntries(HOSTILE.map((_, i) => [`HOSTILE_${i}`, `\${env.HOSTILE_${i}}`])),
      compose: { ready_log_line: 'written' },
    },
  }),
});

afterAll(async () => {
  await project.core('down');
});

describe('hostile values, built-in engine', () => {
  it('arrive byte for byte in env and argv, and nothing is executed', async () => {
    const { runCore } = await import('../helpers/cli.js');
    const up = await runCore(['up', '-d', 'hostile'], { cwd: project.dir, env: { ...project.env, ...env } });
    expect(up.code, up.stderr).toBe(0);
    const received = JSON.parse(fs.readFileSync(path.join(project.dir, '.data/hostile/received.json'), 'utf8'));
    expect(received.env).toEqual(env);
    expect(received.argv).toEqual(HOSTILE);
    for (const dir of [project.dir, path.join(project.dir, '.data/hostile')]) expect(fs.existsSync(path.join(dir, 'PWNED'))).toBe(false);
  });
});
