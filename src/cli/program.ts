/**
 * The command tree. Only commander is loaded up front; each action imports
 * its own module when it runs (a lazy `import()` per command).
 */
import type { CliContext } from './context.js';
import fs from 'node:fs';
import path from 'node:path';
import { Argument, Command } from 'commander';
import { findRoot, loadSettings } from '../support/load-settings.js';
import { runningSupervisor } from '../control/lock.js';
import { controlPaths } from '../control/paths.js';
import { RESERVED_NAMES } from '../manifest/rules.js';
import { recordUpInProgress, takeEarlyUp } from './early-up.js';
import { spawnDaemon } from './spawn-daemon.js';
import { InputError } from '../support/errors.js';

/** A repeatable option's values, in order. */
const collect = (value: string, previous: string[]) => [...previous, value];

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('core')
    .description('Bring up a local stack from services/*/service.json: NATS, PocketBase, Caddy and your own services.')
    .version('0.1.0', '-V, --version')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false });

  program
    .command('up')
    .description('Start the stack (or the given services and their dependencies), health-ordered; on a running stack, apply what changed')
    .argument('[services...]', 'service names (default: all)')
    .option('-d, --detach', 'run in the background; return once every service is healthy')
    .option('--json', 'with -d: print a JSON result')
    .option('--timeout <seconds>', 'how long to wait for every service to be healthy', '120')
    .option('--engine <name>', 'builtin (default) or process-compose')
    .option('-f, --file <file>', 'run this process-compose file from any folder, on the built-in engine (repeat to merge overrides); PROCESS … instead of services', collect, [])
    .option('-e, --env <file>', 'with -f: an env file for ${VAR} in the files (repeatable; default .env beside the first file)', collect, [])
    .option('-n, --namespace <name>', 'with -f: run only the processes of this namespace (repeatable)', collect, [])
    .option('--no-deps', 'with -f: run the PROCESSes named without their dependencies')
    .option('--host <name>', 'with a hosts file: run the processes placed on this host (default: CORE_HOST_NAME; docs/hosts.md)')
    .action(async (services: string[], options) => {
      // Through the environment, so the supervisor and what it runs (`core apply`) are on the same host.
      const here = onHost(ctx, options.host);
      // A process-compose file (docs/process-compose-files.md): its own project, loaded before anything starts.
      if (options.file.length) {
        if (options.host !== undefined) throw new InputError('bad-flag', '--host is for a stack with a hosts file, not for a process-compose file (-f)');
        const daemon = options.detach ? spawnDaemon(here) : undefined;
        try {
          return await (await import('./pc-up/up.js')).upPc(here, services, options, daemon);
        } catch (error) {
          daemon?.kill();
          throw error;
        }
      }
      const withoutFile = options.env.length ? '-e' : options.namespace.length ? '-n' : options.deps === false ? '--no-deps' : undefined;
      if (withoutFile) throw new InputError('bad-flag', `${withoutFile} is for a process-compose file: give it with -f FILE`);
      // A running stack takes the new manifests: no second supervisor, only what changed changes.
      if (stackRunning(here)) return (await import('./commands/apply.js')).upRunning(here, services, options);
      // First of all, before the daemon or any provisioning: a `core down` a moment later must find us.
      // main.ts may have done both already, before loading this module (early-up.ts).
      const early = takeEarlyUp(Boolean(options.detach));
      const inProgress = early ? early.inProgress : recordUpInProgress(here, Boolean(options.detach));
      const daemon = early ? early.daemon : options.detach && options.engine !== 'process-compose' ? spawnDaemon(here) : undefined;
      try {
        await (await import('./commands/up.js')).up(here, services, options, daemon);
      } catch (error) {
        daemon?.kill();
        throw error;
      } finally {
        inProgress?.release();
      }
    });

  program
    .command('plan')
    .description('With a hosts file: which host runs which process (address, region, processes; dependencies across hosts)')
    .option('--json', 'print a JSON result')
    .option('--host <name>', 'only this host (default: CORE_HOST_NAME, else every host)')
    .action(async (options) => (await import('./commands/plan.js')).plan(onHost(ctx, options.host), options));

  program
    .command('down')
    .description('Stop the stack (dependents first) and return when every process is gone; data is kept')
    .option('--timeout <seconds>', 'how long to wait for the supervisor', '60')
    .action(async (options) => (await import('./commands/down.js')).down(ctx, options));

  program
    .command('status')
    .alias('ps')
    .description('Show each process (or those named): state, health, pid, restarts, uptime, CPU, memory, ports, last probe error')
    .argument('[services...]', 'only these processes')
    .option('--json', 'print a stable, versioned JSON document')
    .option('-w, --watch', 'redraw the table every second until Ctrl-C')
    .option('--all-hosts', "with a hosts file: every host's processes, asked over NATS (exit 1 if a host does not answer; docs/hosts.md)")
    .option('--host <name>', "with --all-hosts: the host this is (default: CORE_HOST_NAME, else the running stack's)")
    // --watch is a module of its own, so the standalone bundle of `core status` does not carry it.
    .action(async (services: string[], options) => {
      if (options.allHosts) {
        if (options.watch || services.length)
          throw new InputError('bad-flag', `--all-hosts shows every process of every host, once: not with ${options.watch ? '--watch' : 'service names'}`);
        return (await import('./commands/status-all-hosts.js')).statusAllHosts(onHost(ctx, options.host), options);
      }
      if (options.host !== undefined) throw new InputError('bad-flag', '--host is for --all-hosts: `core status` shows the stack of this project folder');
      return options.watch
        ? (await import('./commands/status-watch.js')).watchStatus(ctx, options, services)
        : (await import('./commands/status.js')).status(ctx, options, services);
    });

  program
    .command('metrics')
    .description("Print the running stack's Prometheus metrics (text exposition; docs/metrics.md)")
    .action(async () => (await import('./commands/metrics.js')).metrics(ctx));

  program
    .command('logs')
    .description('Show service logs (from .core-stack/logs/)')
    .argument('[services...]', 'service names (default: all)')
    .option('-f, --follow', 'keep printing new lines until the stack stops')
    .option('-n, --lines <count>', 'lines of history per service', '100')
    .option('--tail <count>', 'the same as -n')
    .option('-t, --timestamps', 'show when each line arrived')
    .option('--since <when>', 'only lines since a duration ago (30s, 10m, 2h, 1d) or a time (2026-11-30T14:03:00Z)')
    .option('--events', "mix in the supervisor's events (restarts, probe failures, applies), by time")
    .action(async (services: string[], options) => (await import('./commands/logs.js')).logs(ctx, services, options));

  program
    .command('apply')
    .description('Apply the manifests as they are now to the running stack: only what changed is restarted')
    .option('--dry-run', 'print what would change, and change nothing')
    .option('--json', 'print a JSON result')
    .option('--timeout <seconds>', 'how long to wait for what is started to be ready', '120')
    .action(async (options) => (await import('./commands/apply.js')).apply(ctx, options));

  program
    .command('start')
    .description('Start services of the running stack (and what they depend on); returns once they are ready')
    .argument('<services...>')
    .option('--json', 'print a JSON result')
    .option('--timeout <seconds>', 'how long to wait for them to be ready', '120')
    .action(async (services: string[], options) => (await import('./commands/start.js')).start(ctx, services, options));

  program
    .command('stop')
    .description('Stop services of the running stack (not their dependents); says which running services depend on them')
    .argument('<services...>')
    .option('--json', 'print a JSON result')
    .option('--timeout <seconds>', 'how long to wait for them to stop', '60')
    .action(async (services: string[], options) => (await import('./commands/stop.js')).stop(ctx, services, options));

  program
    .command('events')
    .description("Show the stack's state changes, oldest first: time, seq, process, from → to, reason")
    .option('--json', 'one JSON object a line (NDJSON), versioned (v: 1)')
    .option('-f, --follow', 'keep printing new events until the stack stops')
    .option('--since <seq>', 'only events after this seq (resume where a reader left off)')
    .action(async (options) => (await import('./commands/events.js')).events(ctx, options));

  program
    .command('dashboard')
    .description("Print the URL of the running stack's web dashboard (127.0.0.1, with its secret token); --open opens a browser")
    .option('--open', 'open it in the default browser too')
    .option('--json', 'print {"url", "port"}')
    .action(async (options) => (await import('./commands/dashboard.js')).dashboard(ctx, options));

  program
    .command('restart')
    .description('Restart one service of the running stack with its definition from the manifests and .env as they are now')
    .argument('<service>')
    .option('--json', 'print a JSON result')
    .option('--wait', 'return once it is ready (exit 1 with its probe error and last lines if it is not)')
    .option('--timeout <seconds>', 'with --wait: how long to wait for it to be ready', '120')
    .action(async (service: string, options) => (await import('./commands/restart.js')).restart(ctx, service, options));

  program
    .command('verify')
    .description("Check the running stack end to end through each service's own protocol: NATS round trips, PocketBase through Caddy, probes")
    .argument('[services...]', 'only these services (default: all)')
    .option('--json', 'print a JSON result: {ok, steps: [{name, hop, ok, ms, error?, skipped?}]}')
    .option('--timeout <seconds>', 'how long each step may take', '5')
    .action(async (services: string[], options) => (await import('./commands/verify.js')).verify(ctx, services, options));

  program
    .command('validate')
    .description('Check every manifest and placeholder; print every problem with file and JSON path')
    .option('--json', 'print a JSON result')
    .action(async (options) => (await import('./commands/validate.js')).validate(ctx, options));

  program
    .command('generate')
    .description('Write .core-stack/process-compose.yaml and the service config files')
    .option('--stdout', 'print the YAML instead of writing files')
    .option('--json', 'print a JSON summary of what was written')
    .action(async (options) => (await import('./commands/generate.js')).generate(ctx, options));

  program
    .command('init')
    .description('Write a core project here (or in dir): services/{nats,pocketbase,caddy}, .env.example, .gitignore lines')
    .argument('[dir]', 'the project folder (default: the current folder)')
    .action(async (dir: string | undefined) => (await import('./commands/init.js')).init(dir));

  program
    .command('schema')
    .description('Print the JSON Schema of service.json (or, with "hosts", of hosts.json)')
    .addArgument(new Argument('[file]', 'which file').choices(['service', 'hosts']).default('service'))
    .action(async (file: 'service' | 'hosts') => (await import('./commands/schema.js')).schema(file));

  const deps = program.command('deps').description('Provision the binaries services need into .dep/');
  deps
    .command('install')
    .description('Find or fetch the binaries of the given services (default: all)')
    .argument('[services...]', 'service names')
    .option('--json', 'print a JSON result')
    .action(async (services: string[], options) => (await import('./deps.js')).depsInstall(ctx, services, options));
  deps
    .command('list')
    .description('Show each binary: version, source used, path')
    .option('--json', 'print a JSON result')
    .action(async (options) => (await import('./deps.js')).depsList(ctx, options));

  const root = projectRoot(ctx);
  program
    .command('completion')
    .description('Print a completion script for bash, zsh or fish (commands, flags, service names)')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .action(async (shell: string) => {
      const { completion, describeCommands, describeCommand } = await import('./commands/completion.js');
      const sample = new Command('core');
      addServiceCommands(sample, ctx, 'service');
      completion(shell, describeCommands(program, new Set(root ? serviceNames(root) : [])), describeCommand(sample.commands[0]!));
    });

  for (const service of root ? serviceNames(root) : []) addServiceCommands(program, ctx, service);
  // Outside any project `core api run` is no typo: findRoot's error says no project was found, and where core looked.
  if (!root) program.on('command:*', () => findRoot(process.cwd(), ctx.env));

  const internal = new Command('internal').description('Helpers the generated stack runs').helpOption(false);
  internal.command('supervise').action(async () => (await import('./commands/daemon.js')).daemon(ctx));
  internal
    .command('guardian')
    .requiredOption('--state <file>')
    .option('--watch')
    .option('--run <id>')
    .action(async (options) => (await import('../control/guardian.js')).runGuardian(options.state, { watch: options.watch, run: options.run }));
  // What completion scripts call for service names (completion.ts).
  internal.command('complete-services').action(() => void process.stdout.write((root ? serviceNames(root) : []).map((name) => `${name}\n`).join('')));
  program.addCommand(internal, { hidden: true });
  return program;
}

function addServiceCommands(program: Command, ctx: CliContext, service: string): void {
  const command = program.command(service).description(`The ${service} service (services/${service}/service.json)`);
  command
    .command('spec')
    .description('Print the resolved service as JSON: ports, env (secrets redacted), binaries, probes, dependencies')
    .option('--host <name>', "with a hosts file: this host's view (its processes, with dependencies on other hosts left out)")
    .action(async (options) => (await import('./commands/spec.js')).spec(onHost(ctx, options.host), service));
  command
    .command('run')
    .description('Run this service in the foreground; prints READY: <svc> <url> once healthy. While the stack runs, take it over from the stack until it ends')
    .argument('[command...]', 'after --: run it with this command instead (e.g. -- node --inspect server.js)')
    .option('--with-deps', 'without a running stack: start its dependencies too')
    .option('--timeout <seconds>', 'how long to wait for it to be healthy', '120')
    .action(async (command: string[], options) => (await import('./commands/run.js')).run(ctx, service, command, options));
  command
    .command('command')
    .description('Print the resolved command line')
    .option('--json', 'print the argv as a JSON array')
    .action(async (options) => (await import('./commands/spec.js')).command(ctx, service, options));
  command
    .command('restore')
    .description('NATS: republish the streams of a backup a topology change saved (.data/nats/migrations/<time>/) into the running service')
    .argument('<backup>', 'the backup folder')
    .option('--json', 'print a JSON result')
    .action(async (backup: string, options) => (await import('./commands/nats-restore.js')).natsRestore(ctx, service, backup, options));
}

/** `--host NAME` is CORE_HOST_NAME for this command and every process it starts. */
function onHost(ctx: CliContext, host: string | undefined): CliContext {
  return host === undefined ? ctx : { ...ctx, env: { ...ctx.env, CORE_HOST_NAME: host } };
}

/** A live supervisor holds this project's lock (a bad .env: no; `up` reports it in a moment). */
function stackRunning(ctx: CliContext): boolean {
  try {
    return runningSupervisor(controlPaths(loadSettings(process.cwd(), ctx.env).stackDir).lock) !== undefined;
  } catch {
    return false;
  }
}

function projectRoot(ctx: CliContext): string | undefined {
  try {
    return findRoot(process.cwd(), ctx.env);
  } catch {
    return undefined; // no project here: the command run says so (or needs none: init, schema, help)
  }
}

/** Folder names under services/: cheap enough to read at start-up (one readdir). */
function serviceNames(root: string): string[] {
  try {
    return fs
      .readdirSync(path.join(root, 'services'), { withFileTypes: true })
      .filter((entry) => (entry.isDirectory() || entry.isSymbolicLink()) && /^[a-z][a-z0-9-]*$/.test(entry.name) && !RESERVED_NAMES.has(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}
