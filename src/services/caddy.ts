/**
 * Caddy: JSON config built in code (no Caddyfile). The admin API stays on
 * loopback with `persist: false` (no autosave into the user's config folder);
 * automatic HTTPS is off for the local listener.
 */
import path from 'node:path';
import { configString, requirePort } from './config-error.js';
import { hostPort, type Renderer } from './types.js';

export const renderCaddy: Renderer = (service, plan) => {
  const http = requirePort(service, 'http');
  const admin = requirePort(service, 'admin');
  const config = {
    admin: { listen: hostPort(admin.host, admin.port), config: { persist: false } },
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
