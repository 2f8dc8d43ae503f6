/**
 * Caddy: JSON config built in code (no Caddyfile); automatic HTTPS is off for
 * the local listener, and `persist: false` keeps Caddy from autosaving into the
 * user's config folder.
 *
 * The admin API (which can rewrite every route, e.g. serve `.data/` as files)
 * listens on a unix socket inside the stack folder, never on TCP: the folder is
 * 0700, so no other local user can reach it. No `|0600` suffix: Caddy ≥ 2.7
 * reads one and otherwise gives the socket 0200 (owner only), but Debian's
 * 2.6.2 would take `|0600` as part of the file name. A socket left by a
 * SIGKILLed Caddy is replaced on its next start (both versions, tried).
 */
import path from 'node:path';
import { configError, configString, requirePort } from './config-error.js';
import { hostPort, type Renderer } from './types.js';
import type { PlannedService, StackPlan } from '../plan/types.js';

// sun_path holds 108 bytes on Linux (104 on macOS), including the final NUL.
const MAX_SOCKET_PATH = 103;

/** Where a Caddy service's admin API listens. */
export function caddyAdminSocket(service: Pick<PlannedService, 'name'>, plan: Pick<StackPlan, 'stackDir'>): string {
  return path.join(plan.stackDir, service.name, 'admin.sock');
}

export const renderCaddy: Renderer = (service, plan) => {
  const http = requirePort(service, 'http');
  const socket = caddyAdminSocket(service, plan);
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
    throw configError(
      service,
      'admin',
      `${socket}: too long for a unix socket (${Buffer.byteLength(socket)} bytes, at most ${MAX_SOCKET_PATH}); set CORE_STACK_DIR to a shorter folder`,
    );
  }
  const config = {
    admin: { listen: `unix/${socket}`, config: { persist: false } },
    apps: {
      http: {
        servers: {
          core: {
            listen: [hostPort(http.host, http.port)],
            automatic_https: { disable: true },
            routes: [{ handle: [{ handler: 'reverse_proxy', upstreams: [{ dial: configString(service, 'upstream') }] }] }],
          },
        },
      },
    },
  };
  return { files: [{ path: path.join(plan.stackDir, service.name, 'caddy.json'), content: `${JSON.stringify(config, null, 2)}\n` }] };
};
