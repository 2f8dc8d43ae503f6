/**
 * The test side of tests/helpers/host-agent.mjs: one agent a network-namespace
 * host, reached through its stdin and stdout. Each call is bounded in time; an
 * agent that dies fails every call waiting on it, with its stderr.
 */
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type NetHosts, spawnIn } from './netns.js';

const AGENT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'host-agent.mjs');

export interface HostAgent {
  readonly host: string;
  call<T = unknown>(op: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** GET a URL from inside the host; JSON bodies parsed, others as text. */
  get(url: string): Promise<{ status: number; body: any }>;
  /** Ends the agent (its NATS connections closed) and waits for it to exit. */
  close(): Promise<void>;
}

export async function startAgent(hosts: NetHosts, host: string): Promise<HostAgent> {
  const child = spawnIn(hosts, host, [process.execPath, AGENT]);
  const waiting = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void }>();
  let stderr = '';
  let ended: Error | undefined;
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code) => {
      ended = new Error(`the agent of ${host} exited (${code}): ${stderr.trim()}`);
      for (const w of waiting.values()) w.reject(ended);
      waiting.clear();
      resolve();
    }),
  );
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    const answer = JSON.parse(line) as { id: number; value?: unknown; error?: string };
    const w = waiting.get(answer.id);
    waiting.delete(answer.id);
    if (answer.error !== undefined) w?.reject(new Error(`${host}: ${answer.error}`));
    else w?.resolve(answer.value);
  });
  let next = 1;
  const call = <T>(op: string, args: Record<string, unknown> = {}, timeoutMs = 10_000, id = next++): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (ended) return reject(ended);
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`${host}: ${op} took over ${timeoutMs} ms`));
      }, timeoutMs);
      const settle =
        <V>(f: (v: V) => void) =>
        (v: V) => {
          clearTimeout(timer);
          f(v);
        };
      waiting.set(id, { resolve: settle(resolve), reject: settle(reject) });
      if (id !== 0) child.stdin.write(`${JSON.stringify({ id, op, ...args })}\n`);
    });
  // Its first line (id 0) says it has loaded.
  await call('ready', {}, 15_000, 0);
  return {
    host,
    call,
    get: async (url) => {
      const { status, body } = await call<{ status: number; body: string }>('get', { url });
      try {
        return { status, body: JSON.parse(body) };
      } catch {
        return { status, body };
      }
    },
    close: async () => {
      child.stdin.end();
      await exited;
    },
  };
}
