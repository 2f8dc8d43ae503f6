/**
 * `core dashboard [--open] [--json]`: the URL of the running stack's web
 * dashboard (docs/dashboard.md). The supervisor starts the page's server on
 * the first ask (127.0.0.1, a random port, a token of its own) and answers the
 * same URL after; the token reaches the user on stdout only. `--open` hands
 * the desktop's opener a one-time link to it (src/dashboard/open-codes.ts) as
 * one argv element, never through a shell.
 */
import { spawn } from 'node:child_process';
import { ControlError } from '../../control/client.js';
import { findStack } from '../../control/connect.js';
import { connectEngine } from '../../engines/index.js';
import { RuntimeError } from '../../support/errors.js';
import { loadSettings } from '../../support/load-settings.js';
import { runState } from '../../support/proc.js';
import type { CliContext } from '../context.js';
import { note, print, printJson } from '../output.js';

export interface DashboardOptions {
  readonly open?: boolean;
  readonly json?: boolean;
}

export async function dashboard(ctx: CliContext, options: DashboardOptions): Promise<void> {
  const stack = findStack(loadSettings(process.cwd(), ctx.env).stackDir);
  if (!stack.supervisor) throw new RuntimeError('not-running', 'the stack is not running (start it with `core up -d`, then `core dashboard`)');
  const lacking = connectEngine(stack).lacks('dashboard');
  if (lacking) throw lacking;
  if (runState(stack.supervisor.pid) === 'stopped')
    throw new RuntimeError('supervisor-stopped', `the supervisor (pid ${stack.supervisor.pid}) is stopped (SIGSTOP); resume it with \`kill -CONT ${stack.supervisor.pid}\``);
  let address: { url: string; port: number; open_url?: string };
  try {
    address = await stack.client.dashboard(Boolean(options.open));
  } catch (error) {
    throw new RuntimeError('dashboard-failed', error instanceof ControlError ? error.message.replace(/^POST \/dashboard: /, '') : String(error));
  }
  if (options.json) printJson({ url: address.url, port: address.port });
  else print(address.url);
  // The opener gets a one-time link, not the token: a browser's command line is readable by every local user.
  if (options.open) await openBrowser(address.open_url ?? address.url, ctx.env);
}

/** The desktop's opener: `open` on macOS, `xdg-open` elsewhere. A missing one is said, not an error: the URL is printed. */
function openBrowser(url: string, env: Readonly<Record<string, string | undefined>>): Promise<void> {
  const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
  return new Promise((resolve) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(opener, [url], { stdio: 'ignore', detached: true, env: env as NodeJS.ProcessEnv });
    } catch (error) {
      note(`could not run ${opener} (${(error as Error).message}): open the URL above in a browser`);
      return resolve();
    }
    child.once('error', (error: NodeJS.ErrnoException) => {
      note(error.code === 'ENOENT' ? `${opener} was not found: open the URL above in a browser` : `${opener} failed (${error.message}): open the URL above in a browser`);
      resolve();
    });
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}
