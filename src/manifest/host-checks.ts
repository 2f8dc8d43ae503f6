/**
 * What `core validate` can check on this machine without running anything:
 * that an explicit working_dir exists, and that a command is a binary the
 * service declares, a program on PATH, or an executable file. Without these a
 * typo shows up only once the stack runs, as a service that fails to start.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Issue } from '../support/errors.js';
import { isExecutable, onPath } from '../support/executable.js';
import type { StackPlan } from '../plan/types.js';
import type { LoadedManifest } from './validate.js';

export function checkOnHost(plan: StackPlan, manifests: readonly LoadedManifest[], env: Readonly<Record<string, string>>): Issue[] {
  const byName = new Map(manifests.map((m) => [m.manifest.name, m.manifest]));
  const issues: Issue[] = [...checkWorkingDirs(plan, manifests)];
  for (const service of plan.services) {
    if (!byName.get(service.name)?.process) continue;
    if (Object.values(service.binaryPaths).includes(service.command)) continue; // provided by `core deps install`
    const message = commandProblem(service.command, service.workingDir, service.env.PATH ?? env.PATH ?? '');
    if (message) issues.push({ file: service.file, path: 'process.command', message });
  }
  return issues;
}

/**
 * An explicit working_dir that is not there. `core up`, `core <svc> run` and
 * `core apply` refuse it too (before anything starts), rather than create it:
 * a typo in a path would otherwise run the service in an empty folder.
 */
export function checkWorkingDirs(plan: StackPlan, manifests: readonly LoadedManifest[]): Issue[] {
  const byName = new Map(manifests.map((m) => [m.manifest.name, m.manifest]));
  const issues: Issue[] = [];
  for (const service of plan.services) {
    if (byName.get(service.name)?.process?.working_dir === undefined) continue;
    // The default (${data}/<name>) and folders under .data/ or .core-stack/ are core's to create.
    const ours = [plan.dataDir, plan.stackDir].some((dir) => service.workingDir === dir || service.workingDir.startsWith(dir + path.sep));
    if (ours) continue;
    const problem = folderProblem(service.workingDir);
    if (problem)
      issues.push({
        file: service.file,
        path: 'process.working_dir',
        message: `${service.workingDir} ${problem} (create it, or leave working_dir out to use \${data}/${service.name})`,
      });
  }
  return issues;
}

function folderProblem(dir: string): string | undefined {
  try {
    return fs.statSync(dir).isDirectory() ? undefined : 'is not a folder';
  } catch {
    return 'does not exist';
  }
}

function commandProblem(command: string, cwd: string, searchPath: string): string | undefined {
  if (command.includes('/')) {
    const file = path.resolve(cwd, command);
    if (isExecutable(file)) return undefined;
    return fs.existsSync(file) ? `${file} is not an executable file` : `${file} does not exist${spaced(command)}`;
  }
  if (onPath(command, searchPath, cwd)) return undefined;
  const spaces = spaced(command);
  return `"${command}" is not a program on PATH, a binary of this service ("\${dep.<name>}") nor a file${spaces || ' (give a path, or declare it under "binaries")'}`;
}

/** `"node server.js"`: a shell habit; core never runs a command through a shell. */
function spaced(command: string): string {
  const [program, ...rest] = command.trim().split(/\s+/);
  if (rest.length === 0) return '';
  return `; core runs no shell, so put the program in "command" and each argument in "args": "command": ${JSON.stringify(program)}, "args": ${JSON.stringify(rest)}`;
}
