/**
 * The `core_topology` collection through the `pocketbase` SDK, signed in as the
 * superuser: list it, write a record's `error`, and hear of every change
 * through PocketBase's realtime API (SSE). Loaded only with the controller on.
 *
 * Node 20 has no `EventSource`: the SDK's README says to set it from the
 * `eventsource` package, whose v4 line runs on Node 20 (v5 needs 22.12).
 * Events during a disconnect are lost (PocketBase keeps none; the SDK
 * reconnects by itself, forever, at most 2 s apart), so the caller re-lists on
 * every connect: `PB_CONNECT` reaches listeners after the subscriptions are
 * sent again, so a listing then misses nothing.
 *
 * Every (re)connect signs in afresh before its subscriptions are sent: a
 * token PocketBase no longer honours (its superuser saved with a new password,
 * a restored data folder) is not refused there (its auth middleware ignores a
 * token it cannot verify), so the subscription would be anonymous, and an
 * anonymous subscription to a superuser-only collection gets no events at all.
 * Seen here as "Only superusers can perform this action" after a PocketBase
 * restart. Cost: one sign-in per connect (PocketBase closes an idle one after
 * 5 minutes).
 */
import { EventSource } from 'eventsource';
import PocketBase, { isTokenExpired } from 'pocketbase';
import { TOPOLOGY_COLLECTION } from '../services/pocketbase-migrations.js';
import type { TopologyRecord } from './records.js';

export interface TopologySource {
  list(): Promise<TopologyRecord[]>;
  setError(id: string, error: string): Promise<void>;
  close(): Promise<void>;
}

export interface SourceHooks {
  /** A record was created, updated or deleted. */
  readonly onChange: () => void;
  /** The realtime connection is (again) established: re-list. */
  readonly onConnect: () => void;
  /** The connection dropped (the SDK reconnects by itself). */
  readonly onDisconnect: () => void;
}

export interface SourceTarget {
  readonly url: string;
  readonly email: string;
  readonly password: string;
}

/** A superuser token lasts a day (PocketBase's default): renew it half an hour before. */
const RENEW_BEFORE_SECONDS = 30 * 60;

/** A request to PocketBase that takes longer is given up (a stopped PocketBase must not hold a pass, or `core down`, forever). */
const REQUEST_TIMEOUT_MS = 10_000;

/** `stop`: aborts every request in flight (the supervisor is stopping). */
export async function connectTopology(target: SourceTarget, hooks: SourceHooks, stop: AbortSignal): Promise<TopologySource> {
  const bounded = () => ({ signal: AbortSignal.any([stop, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]) });
  (globalThis as { EventSource?: unknown }).EventSource ??= EventSource;
  const pb = new PocketBase(target.url);
  // Two listings at once must both answer: no request is cancelled by a later one.
  pb.autoCancellation(false);
  const signIn = async () => {
    await pb.collection('_superusers').authWithPassword(target.email, target.password, bounded());
  };
  const fresh = async () => {
    if (!pb.authStore.isValid || isTokenExpired(pb.authStore.token, RENEW_BEFORE_SECONDS)) await signIn();
  };
  pb.beforeSend = async (url, options) => {
    if (options.method === 'POST' && new URL(url).pathname.endsWith('/api/realtime')) {
      await signIn();
      const headers = (options.headers ?? {}) as Record<string, string>;
      for (const key of Object.keys(headers)) if (key.toLowerCase() === 'authorization') delete headers[key];
      options.headers = { ...headers, Authorization: pb.authStore.token };
    }
    return { url, options };
  };
  const collection = pb.collection(TOPOLOGY_COLLECTION);
  const close = async () => {
    pb.realtime.onDisconnect = undefined;
    await pb.realtime.unsubscribe().catch(() => {});
  };
  try {
    await signIn();
    pb.realtime.onDisconnect = (active) => {
      // No active subscription: our own close, not a lost connection.
      if (active.length > 0) hooks.onDisconnect();
    };
    await collection.subscribe('*', () => hooks.onChange());
    await pb.realtime.subscribe('PB_CONNECT', () => hooks.onConnect());
  } catch (error) {
    await close(); // no half-made client reconnecting behind our back
    throw error;
  }
  return {
    list: async () => {
      await fresh();
      try {
        return (await collection.getFullList({ batch: 500, ...bounded() })).map(toRecord);
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error;
        throw new Error(
          `PocketBase has no ${TOPOLOGY_COLLECTION} collection: its manifest must pass core's migrations ("--migrationsDir", "\${stack}/pocketbase/pb_migrations"; see docs/controller.md)`,
        );
      }
    },
    setError: async (id, error) => {
      await fresh();
      await collection.update(id, { error }, bounded());
    },
    close,
  };
}

function toRecord(raw: Record<string, unknown>): TopologyRecord {
  return {
    id: String(raw.id),
    service: typeof raw.service === 'string' ? raw.service : '',
    topology: typeof raw.topology === 'string' ? raw.topology : '',
    deployment: raw.deployment ?? null,
    error: typeof raw.error === 'string' ? raw.error : '',
  };
}
