/**
 * `core completion bash|zsh|fish` through the built CLI: each script is valid
 * for its shell, and completes commands, flags and service names, the names
 * asked for at completion time. zsh and fish checks skip where the shell is
 * not installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORE, makeProject, runCore } from '../helpers/cli.js';

const has = (shell: string) => spawnSync(shell, ['-c', 'exit 0']).status === 0;
const ZSH = has('zsh');
const FISH = has('fish');

let project: string;
let env: Record<string, string>;

beforeAll(() => {
  project = makeProject();
  // The scripts call `core` by name, as they would once installed.
  const bin = path.join(project, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'core'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CORE)} "$@"\n`, { mode: 0o755 });
  env = { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, HOME: process.env.HOME ?? '/tmp', CORE_ROOT: project };
});
afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

const shell = (name: string, script: string, ...args: string[]) => execFileSync(name, ['-c', script, '_', ...args], { cwd: project, env, encoding: 'utf8', timeout: 15_000 });

/** What bash offers after `line` (a trailing space starts a new word). */
const bash = (line: string) =>
  shell(
    'bash',
    `source <(core completion bash)
     read -ra COMP_WORDS <<<"$1"; [[ "$1" == *" " ]] && COMP_WORDS+=("")
     COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _core; echo "\${COMPREPLY[*]}"`,
    line,
  )
    .trim()
    .split(' ')
    .filter(Boolean);

describe('core completion', () => {
  it.each(['bash', 'zsh', 'fish'])('prints a %s script its shell parses', async (name) => {
    const result = await runCore(['completion', name], { cwd: project });
    expect(result.code, result.stderr).toBe(0);
    if (name !== 'bash' && !(name === 'zsh' ? ZSH : FISH)) return; // shell not installed here
    const file = path.join(project, `core.${name}`);
    fs.writeFileSync(file, result.stdout);
    const check = spawnSync(name, ['-n', file], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('bash completes a service name, asked for when completing (a service added later too)', () => {
    expect(bash('core restart na')).toEqual(['nats']);
    fs.mkdirSync(path.join(project, 'services', 'natty'));
    try {
      expect(bash('core restart na')).toEqual(['nats', 'natty']);
      expect(bash('core start ')).toEqual(expect.arrayContaining(['caddy', 'nats', 'natty', 'pocketbase']));
      expect(bash('core deps install po')).toEqual(['pocketbase']);
    } finally {
      fs.rmdirSync(path.join(project, 'services', 'natty'));
    }
  });

  it('bash completes commands, flags, a service and its commands', () => {
    expect(bash('core re')).toEqual(['restart']);
    expect(bash('core up --de')).toEqual(['--detach']);
    expect(bash('core completion ')).toEqual(expect.arrayContaining(['bash', 'zsh', 'fish']));
    expect(bash('core p')).toEqual(['plan', 'pocketbase']); // a command and a service
    expect(bash('core nats r')).toEqual(['run', 'restore']);
    expect(bash('core nats run --ti')).toEqual(['--timeout']);
    expect(bash('core i')).toEqual(['init']); // `internal` is hidden
  });

  it.skipIf(!ZSH)('zsh offers the same words', () => {
    const offered = shell('zsh', 'compdef() {}; compadd() { shift; print -r -- "$*" }; source <(core completion zsh); words=(core restart na); CURRENT=3; _core');
    expect(offered.trim().split(' ')).toEqual(expect.arrayContaining(['--wait', 'nats', 'caddy']));
  });

  it.skipIf(!FISH)('fish completes a service name and a flag', () => {
    const offered = shell('fish', 'core completion fish | source; complete -C "core restart na"; complete -C "core up --de"');
    expect(
      offered
        .trim()
        .split('\n')
        .map((line) => line.split('\t')[0]),
    ).toEqual(['nats', '--detach']);
  });

  it('refuses a shell it has no script for (exit 2)', async () => {
    const result = await runCore(['completion', 'tcsh'], { cwd: project });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bash, zsh, fish');
    expect(result.stdout).toBe('');
  });
});
