/**
 * The routes of the control API that look at the stack rather than change it
 * (server.ts keeps the table):
 *   POST /dashboard            start the dashboard's server if need be: {url, port} (src/dashboard/)
 *   GET  /resources?window=MS  CPU and memory per process group (src/observe/resources.ts)
 *   GET  /metrics              Prometheus text exposition (src/observe/metrics.ts)
 * Each loads its module when first asked for: nothing of them runs in a
 * supervisor nobody looks at.
 */
import type { Answer, Route } from './server.js';

const ok = (body: unknown): Answer => ({ status: 200, body });
const fail = (status: number, error: string): Answer => ({ status, body: { error } });

export const OBSERVE_ROUTES: readonly Route[] = [
  {
    method: 'POST',
    pattern: ['dashboard'],
    handle: async (_, __, handlers, ___, query) => {
      if (!handlers.dashboard) return fail(404, 'this supervisor has no dashboard');
      try {
        return ok(await handlers.dashboard.open({ opener: query.get('open') === '1' }));
      } catch (error) {
        return fail(503, `the dashboard could not start: ${(error as Error).message}`);
      }
    },
  },
  {
    method: 'GET',
    pattern: ['resources'],
    handle: async (_, __, handlers, ___, query) => {
      if (!handlers.resources) return fail(404, 'this supervisor does not sample resources');
      const raw = query.get('window') ?? '';
      if (raw !== '' && !/^\d{1,5}$/.test(raw)) return fail(400, `window: "${raw.slice(0, 40)}" is not a whole number of milliseconds`);
      return ok(await handlers.resources.read(raw === '' ? undefined : Math.min(Number(raw), 5000)));
    },
  },
  {
    method: 'GET',
    pattern: ['metrics'],
    // Loaded when first asked for: prom-client stays out of a supervisor nobody scrapes.
    handle: async (_, engine, { resources, timeline }) => {
      if (!resources || !timeline) return fail(404, 'this supervisor has no metrics');
      const { metricsOf, CONTENT_TYPE } = await import('../observe/metrics.js');
      return { status: 200, body: null, text: await metricsOf({ engine, resources, timeline }).scrape(), headers: { 'content-type': CONTENT_TYPE } };
    },
  },
];
