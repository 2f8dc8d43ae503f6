/**
 * PocketBase through its own API: its health directly, then through each Caddy
 * that proxies to it, then a record round trip through Caddy with the
 * superuser (the `pocketbase` SDK): a temporary collection of a unique name, a
 * record written and read back, the collection deleted in a finally. Without
 * a superuser configured, the round trip is skipped and says why.
 */
import PocketBase, { ClientResponseError } from 'pocketbase';
import { lazyCrypto } from '../support/builtins.js';
import { withCleanUp } from './clean-up.js';
import { describeError, excerpt } from './describe-error.js';
import { expectStatus, reachedUpstream } from './http-check.js';
import { addressText, type Address, type CaddyTarget, type PocketbaseTarget } from './targets.js';
import { StepFailure, type Chain, type StepSpec } from './types.js';

const url = (address: Address, path = '') => `http://${addressText(address)}${path}`;

export function pocketbaseChain(target: PocketbaseTarget, timeoutMs: number): Chain {
  const direct = `client → ${target.name} (${addressText(target.address)})`;
  const through = (front: PocketbaseTarget['fronts'][number]) => `client → ${front.name} (${addressText(front.address)}) → ${target.name}`;
  const steps: StepSpec[] = [
    { name: `${target.name}: health`, hop: direct, run: () => expectStatus(url(target.address, '/api/health'), timeoutMs, (s) => s === 200) },
    ...target.fronts.map((front) => ({
      name: `${front.name} → ${target.name}: health`,
      hop: through(front),
      run: () => expectStatus(url(front.address, '/api/health'), timeoutMs, (s) => s === 200),
    })),
  ];
  const front = target.fronts[0];
  const superuser = target.superuser;
  steps.push({
    name: `${target.name}: record round trip`,
    hop: front ? through(front) : direct,
    run: async () => {
      if ('missing' in superuser) return { skipped: `no superuser to sign in as: ${superuser.missing}` };
      await recordRoundTrip(url(front ? front.address : target.address), superuser, timeoutMs);
    },
  });
  return { steps };
}

/** A Caddy whose upstream is not a PocketBase of the stack: it answers, and reaches its upstream. */
export function caddyChain(target: CaddyTarget, timeoutMs: number): Chain {
  return {
    steps: [
      {
        name: `${target.name}: proxy`,
        hop: `client → ${target.name} (${addressText(target.address)}) → ${target.upstream}`,
        run: () => expectStatus(url(target.address, '/'), timeoutMs, reachedUpstream),
      },
    ],
  };
}

async function recordRoundTrip(baseUrl: string, superuser: { email: string; password: string; passwordEnv: string }, timeoutMs: number): Promise<void> {
  const pb = new PocketBase(baseUrl);
  pb.autoCancellation(false);
  // Each request its own time, so the deletion in the finally has its own too.
  pb.beforeSend = (requestUrl, options) => ({ url: requestUrl, options: { ...options, signal: AbortSignal.timeout(timeoutMs) } });
  const call = async <T>(what: string, request: () => Promise<T>): Promise<T> => {
    try {
      return await request();
    } catch (error) {
      throw new StepFailure(`${what}: ${describePocketbaseError(error, timeoutMs)}`);
    }
  };
  try {
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
  } catch (error) {
    // PocketBase took its superuser's password when it started (pb_hooks); verify reads the variable as it is now.
    const hint = error instanceof ClientResponseError && error.status === 400 ? ` (is ${superuser.passwordEnv} the password PocketBase started with?)` : '';
    throw new StepFailure(`sign in as superuser ${superuser.email}: ${describePocketbaseError(error, timeoutMs)}${hint}`);
  }
  const id = lazyCrypto().randomBytes(6).toString('hex');
  const collection = `core_verify_${id}`;
  const value = lazyCrypto().randomUUID();
  await withCleanUp(
    async () => {
      await call(`create collection ${collection}`, () => pb.collections.create({ name: collection, type: 'base', fields: [{ name: 'value', type: 'text' }] }));
      const created = await call('create a record', () => pb.collection(collection).create({ value }));
      const read = await call(`read record ${created.id}`, () => pb.collection(collection).getOne(created.id));
      if (read.value !== value) throw new StepFailure(`record ${created.id} reads back different from what was written`);
    },
    async () => {
      try {
        await pb.collections.delete(collection);
        return undefined;
      } catch (error) {
        // 404: the create never made it, nothing to delete.
        if (error instanceof ClientResponseError && error.status === 404) return undefined;
        return `the temporary collection ${collection} could not be deleted (${describePocketbaseError(error, timeoutMs)}); delete it in PocketBase's dashboard`;
      }
    },
    timeoutMs,
  );
}

/** The SDK's error: an abort is our timeout; status 0 is the network (its cause says what); else the status and body. */
function describePocketbaseError(error: unknown, timeoutMs: number): string {
  if (!(error instanceof ClientResponseError)) return describeError(error, timeoutMs);
  if (error.isAbort) return `timed out after ${timeoutMs} ms`;
  if (error.status === 0) return describeError(error.originalError ?? error, timeoutMs);
  const body = error.response && Object.keys(error.response).length ? `: ${excerpt(JSON.stringify(error.response))}` : '';
  return `HTTP ${error.status}${body}`;
}
