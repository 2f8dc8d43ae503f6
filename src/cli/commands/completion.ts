/**
 * `core completion bash|zsh|fish`: a completion script for commands, flags and
 * service names. Commands and flags are read from the commander tree when the
 * script is printed, so they never drift from the CLI; service names are asked
 * for at completion time (`core internal complete-services`), so a service
 * added later completes without regenerating the script.
 */
import type { Command } from 'commander';
import { InputError } from '../../support/errors.js';
import { print } from '../output.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** What a script needs to know of one command. */
export interface CommandSpec {
  readonly name: string;
  readonly description: string;
  /** Flags as typed: `-d`, `--detach`. */
  readonly flags: readonly string[];
  /** Whether its arguments are service names. */
  readonly services: boolean;
  /** Fixed values of its arguments (`completion bash|zsh|fish`). */
  readonly choices: readonly string[];
  readonly subcommands: readonly CommandSpec[];
}

export function completion(shell: string, commands: readonly CommandSpec[], service: CommandSpec): void {
  if (!(SHELLS as readonly string[]).includes(shell)) throw new InputError('bad-usage', `completion: "${shell}" is not one of ${SHELLS.join(', ')}`);
  const render = { bash: bashScript, zsh: zshScript, fish: fishScript }[shell as Shell];
  print(render(commands, service));
}

/** The visible commands of a commander tree, leaving out `skip` (the per-service commands). */
export function describeCommands(program: Command, skip: ReadonlySet<string> = new Set()): CommandSpec[] {
  return program.commands.filter((command) => !(command as unknown as { _hidden?: boolean })._hidden && !skip.has(command.name())).map((command) => describeCommand(command));
}

export function describeCommand(command: Command, name = command.name()): CommandSpec {
  return {
    name,
    description: command.description().split('\n')[0] ?? '',
    flags: [...command.options.flatMap((option) => [option.short, option.long].filter((flag): flag is string => Boolean(flag))), '--help'],
    services: command.registeredArguments.some((argument) => /service/.test(argument.name())),
    choices: command.registeredArguments.flatMap((argument) => argument.argChoices ?? []),
    subcommands: describeCommands(command),
  };
}

/** Words a shell may see unquoted: command and flag names only (checked, since they end up in a script). */
const word = (text: string) => {
  if (!/^[A-Za-z0-9_.-]+$/.test(text)) throw new Error(`completion: "${text}" is not a plain word`);
  return text;
};
const words = (list: readonly string[]) => list.map(word).join(' ');
const SERVICES = 'internal complete-services';

function bashScript(commands: readonly CommandSpec[], service: CommandSpec): string {
  const arm = (key: string, spec: CommandSpec) => {
    const list = words([...spec.subcommands.map((s) => s.name), ...spec.choices, ...spec.flags]);
    return `    ${JSON.stringify(key)}) words="${list}"${spec.services ? '; services=1' : ''} ;;`;
  };
  const arms = commands.flatMap((spec) => [arm(spec.name, spec), ...spec.subcommands.map((sub) => arm(`${spec.name} ${sub.name}`, sub))]);
  const nested = commands.filter((spec) => spec.subcommands.length > 0).map((spec) => spec.name);
  // `core <service> run --<TAB>`: a word that is no command is a service.
  arms.push(...service.subcommands.map((sub) => arm(`@service ${sub.name}`, sub)));
  return `# core completion for bash. Load it with: source <(core completion bash)
_core() {
  local cur=\${COMP_WORDS[COMP_CWORD]} key=\${COMP_WORDS[1]} words='' services=0 service_words=''
  if [[ $COMP_CWORD -gt 2 && " ${words(nested)} " == *" $key "* ]]; then key="$key \${COMP_WORDS[2]}"
  elif [[ $COMP_CWORD -gt 2 && " ${words(commands.map((c) => c.name))} " != *" $key "* ]]; then key="@service \${COMP_WORDS[2]}"; fi
  if [[ $COMP_CWORD -eq 1 ]]; then
    words="${words(commands.map((c) => c.name))}"
    services=1
  else
    case "$key" in
${arms.join('\n')}
    *) words="${words([...service.subcommands.map((s) => s.name), ...service.flags])}" ;;
    esac
  fi
  if [[ $services -eq 1 ]]; then service_words=$("\${COMP_WORDS[0]}" ${SERVICES} 2>/dev/null); fi
  COMPREPLY=($(compgen -W "$words $service_words" -- "$cur"))
}
complete -F _core core`;
}

function zshScript(commands: readonly CommandSpec[], service: CommandSpec): string {
  const arm = (key: string, spec: CommandSpec) =>
    `    ${JSON.stringify(key)}) choices=(${words([...spec.subcommands.map((s) => s.name), ...spec.choices, ...spec.flags])})${spec.services ? '; services=1' : ''} ;;`;
  const arms = commands.flatMap((spec) => [arm(spec.name, spec), ...spec.subcommands.map((sub) => arm(`${spec.name} ${sub.name}`, sub))]);
  const nested = commands.filter((spec) => spec.subcommands.length > 0).map((spec) => spec.name);
  arms.push(...service.subcommands.map((sub) => arm(`@service ${sub.name}`, sub)));
  return `#compdef core
# core completion for zsh. Load it with: source <(core completion zsh) (after compinit),
# or save it as _core in a folder of $fpath.
_core() {
  local key=\${words[2]} services=0
  local -a choices
  if (( CURRENT > 3 )) && [[ " ${words(nested)} " == *" $key "* ]]; then key="$key \${words[3]}"
  elif (( CURRENT > 3 )) && [[ " ${words(commands.map((c) => c.name))} " != *" $key "* ]]; then key="@service \${words[3]}"; fi
  if (( CURRENT == 2 )); then
    choices=(${words(commands.map((c) => c.name))})
    services=1
  else
    case "$key" in
${arms.join('\n')}
    *) choices=(${words([...service.subcommands.map((s) => s.name), ...service.flags])}) ;;
    esac
  fi
  if (( services )); then choices+=(\${(f)"$(\${words[1]} ${SERVICES} 2>/dev/null)"}); fi
  compadd -- $choices
}
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then _core "$@"; else compdef _core core; fi`;
}

function fishScript(commands: readonly CommandSpec[], service: CommandSpec): string {
  const quote = (text: string) => `'${text.replace(/[\\']/g, '\\$&')}'`;
  const flag = (condition: string, text: string, description = '') =>
    `complete -c core -n ${quote(condition)} ${text.startsWith('--') ? `-l ${word(text.slice(2))}` : `-s ${word(text.slice(1))}`}${description ? ` -d ${quote(description)}` : ''}`;
  const lines = [
    '# core completion for fish. Load it with: core completion fish | source',
    'complete -c core -f',
    `function __core_services; ${'command core'} ${SERVICES} 2>/dev/null; end`,
    // The second word is a service: its own commands follow.
    'function __core_on_service; set -l w (commandline -opc); test (count $w) -ge 2; and contains -- $w[2] (__core_services); end',
    `complete -c core -n __fish_use_subcommand -a '(__core_services)' -d service`,
  ];
  for (const spec of commands) {
    lines.push(`complete -c core -n __fish_use_subcommand -a ${word(spec.name)} -d ${quote(spec.description)}`);
    const on = `__fish_seen_subcommand_from ${word(spec.name)}`;
    for (const sub of spec.subcommands) {
      const none = `${on}; and not __fish_seen_subcommand_from ${words(spec.subcommands.map((s) => s.name))}`;
      lines.push(`complete -c core -n ${quote(none)} -a ${word(sub.name)} -d ${quote(sub.description)}`);
      for (const text of sub.flags) lines.push(flag(`${on}; and __fish_seen_subcommand_from ${word(sub.name)}`, text));
      if (sub.services) lines.push(`complete -c core -n ${quote(`${on}; and __fish_seen_subcommand_from ${word(sub.name)}`)} -a '(__core_services)'`);
    }
    for (const text of spec.flags) lines.push(flag(on, text));
    for (const choice of spec.choices) lines.push(`complete -c core -n ${quote(on)} -a ${word(choice)}`);
    if (spec.services) lines.push(`complete -c core -n ${quote(on)} -a '(__core_services)'`);
  }
  for (const sub of service.subcommands) lines.push(`complete -c core -n __core_on_service -a ${word(sub.name)} -d ${quote(sub.description)}`);
  return lines.join('\n');
}
