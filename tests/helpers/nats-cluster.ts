/**
 * What a test asks a NATS cluster's monitoring endpoints, by server name
 * (`nats-hub-2`), whoever carries the request: `fetch` on loopback, or an agent
 * inside a network-namespace host (tests/helpers/host-agent.ts). Each function
 * reads the servers once and answers `undefined` when the state asked for does
 * not hold yet (a server unreachable included), so `waitFor` can poll it.
 */

/** GET `path` (`/jsz`, `/leafz`…) of one server's monitoring port: status and JSON body. */
export type Monitor = (server: string, path: string) => Promise<{ status: number; body: any }>;

async function json(monitor: Monitor, server: string, path: string): Promise<any | undefined> {
  try {
    const { status, body } = await monitor(server, path);
    return status === 200 && typeof body === 'object' ? body : undefined;
  } catch {
    return undefined;
  }
}

/** The meta leader, once every one of `servers` names the same one and it is one of them; with each server's /jsz. */
export async function agreedMetaLeader(monitor: Monitor, servers: readonly string[]): Promise<{ leader: string; jsz: any[] } | undefined> {
  const jsz = await Promise.all(servers.map((s) => json(monitor, s, '/jsz')));
  const leader = jsz[0]?.meta_cluster?.leader;
  if (!servers.includes(leader) || !jsz.every((j) => j?.meta_cluster?.leader === leader)) return undefined;
  return { leader, jsz };
}

/** The leader's view of `peer` in the meta group, once it has one: `{ name, current, offline, active, lag }`. */
export async function metaPeer(monitor: Monitor, leader: string, peer: string): Promise<any | undefined> {
  const jsz = await json(monitor, leader, '/jsz');
  return jsz?.meta_cluster?.replicas?.find((r: { name: string }) => r.name === peer);
}

/** `stream` as `server` holds it in its own store (/jsz with stream details): `{ state, cluster }`. */
export async function localStream(monitor: Monitor, server: string, stream: string): Promise<any | undefined> {
  const jsz = await json(monitor, server, '/jsz?accounts=true&streams=true');
  for (const account of jsz?.account_details ?? []) {
    const found = account.stream_detail?.find((d: { name: string }) => d.name === stream);
    if (found) return found;
  }
  return undefined;
}

/** A leaf node's /leafz once it has `count` connections (default: at least one). */
export async function leafConnected(monitor: Monitor, server: string, count?: number): Promise<any | undefined> {
  const leafz = await json(monitor, server, '/leafz');
  if (!leafz) return undefined;
  return (count === undefined ? leafz.leafnodes > 0 : leafz.leafnodes === count) ? leafz : undefined;
}

/** `/healthz` answers 200 (a clustered node: JetStream current with its meta leader). */
export async function healthy(monitor: Monitor, server: string): Promise<true | undefined> {
  try {
    return (await monitor(server, '/healthz')).status === 200 ? true : undefined;
  } catch {
    return undefined;
  }
}
