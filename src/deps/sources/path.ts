/** `path`: a command already installed, if the version it reports is in range. */
import { runCommand, describeExit, tailLines } from '../run-command.js';
import { fail, type PathSource, type SourceOutcome } from '../types.js';
import { effectiveRange, inRange, isValidRange, parseVersion } from '../version.js';
import { findOnPath } from '../which.js';
import type { SourceContext } from './context.js';

export async function fromPath(source: PathSource, context: SourceContext): Promise<SourceOutcome> {
  const { binary, settings, timeouts } = context;
  const command = source.command ?? binary.name;
  const range = effectiveRange(source.range, binary.version);
  if (!isValidRange(range)) return fail('bad-range', `"${range}" is not a semver range`);

  const found = await findOnPath(command, settings.env.PATH, [settings.depDir]);
  if (!found) return fail('not-found', `${command} is not on PATH`);

  const args = source.version_args ?? ['--version'];
  const result = await runCommand(found, args, { env: settings.env, timeoutMs: timeouts.versionMs, maxOutput: 8192 });
  const shown = [found, ...args].join(' ');
  const version = result.spawnError || result.timedOut ? undefined : parseVersion(result.output);
  if (!version) {
    const said = tailLines(result.output, 2);
    return fail('no-version', `\`${shown}\` printed no version (${describeExit(result, timeouts.versionMs)}${said ? `: ${said}` : ''})`);
  }
  if (!inRange(version, range)) return fail('out-of-range', `${found} is ${version}, outside ${range}`);
  // Linked as found, not resolved: a package upgrade of /usr/bin/caddy is picked up.
  return { ok: true, target: found, version };
}
