/** Manifest probes → planned probes: placeholders resolved, `http_get.url` split, defaults applied. */
import type { ManifestProbe } from '../manifest/compose-keys.js';
import type { PlannedProbe, PlannedProbeCheck } from './types.js';

type Resolve = (value: string, at: string) => string;
type Report = (at: string, message: string) => void;

// process-compose's defaults (src/health/probe.go), except that a missing
// period is 10 s there too: we keep it, so both engines agree once ready.
export const PROBE_DEFAULTS = { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 } as const;

export function planProbe(probe: ManifestProbe, resolve: Resolve, report: Report): PlannedProbe | undefined {
  const check = planCheck(probe, resolve, report);
  if (!check) return undefined;
  return {
    check,
    initialDelaySeconds: probe.initial_delay_seconds ?? PROBE_DEFAULTS.initialDelaySeconds,
    periodSeconds: probe.period_seconds ?? PROBE_DEFAULTS.periodSeconds,
    timeoutSeconds: probe.timeout_seconds ?? PROBE_DEFAULTS.timeoutSeconds,
    successThreshold: probe.success_threshold ?? PROBE_DEFAULTS.successThreshold,
    failureThreshold: probe.failure_threshold ?? PROBE_DEFAULTS.failureThreshold,
  };
}

function planCheck(probe: ManifestProbe, resolve: Resolve, report: Report): PlannedProbeCheck | undefined {
  if (probe.http_get) {
    const http = probe.http_get;
    const headers = http.headers && Object.fromEntries(Object.entries(http.headers).map(([k, v]) => [k, resolve(v, `http_get.headers.${k}`)]));
    const status = http.status_code ?? 200;
    if (http.url !== undefined) {
      if (http.host !== undefined || http.port !== undefined || http.path !== undefined || http.scheme !== undefined) {
        report('http_get.url', 'give either url or scheme/host/port/path, not both');
        return undefined;
      }
      const url = resolve(http.url, 'http_get.url');
      if (!url) return undefined;
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        report('http_get.url', `"${url}" is not a URL`);
        return undefined;
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
        report('http_get.url', `"${url}": only http and https are probed`);
        return undefined;
      }
      const scheme = parsed.protocol === 'https:' ? 'https' : 'http';
      return {
        kind: 'http',
        scheme,
        host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: parsed.port ? Number(parsed.port) : scheme === 'https' ? 443 : 80,
        path: `${parsed.pathname}${parsed.search}`,
        ...(headers ? { headers } : {}),
        status,
      };
    }
    const scheme = http.scheme ?? 'http';
    const port = planPort(http.port ?? (scheme === 'https' ? 443 : 80), 'http_get.port', resolve, report);
    if (port === undefined) return undefined;
    const path = resolve(http.path ?? '/', 'http_get.path');
    return {
      kind: 'http',
      scheme,
      host: resolve(http.host ?? '127.0.0.1', 'http_get.host'),
      port,
      path: path.startsWith('/') ? path : `/${path}`,
      ...(headers ? { headers } : {}),
      status,
    };
  }
  if (probe.exec) {
    const argv = probe.exec.command.map((arg, i) => resolve(arg, `exec.command[${i}]`));
    const workingDir = probe.exec.working_dir === undefined ? undefined : resolve(probe.exec.working_dir, 'exec.working_dir');
    return { kind: 'exec', argv, ...(workingDir ? { workingDir } : {}) };
  }
  if (probe.tcp_socket) {
    const port = planPort(probe.tcp_socket.port, 'tcp_socket.port', resolve, report);
    if (port === undefined) return undefined;
    const host = resolve(probe.tcp_socket.host ?? '127.0.0.1', 'tcp_socket.host');
    if (!/^[A-Za-z0-9.:-]+$/.test(host)) {
      report('tcp_socket.host', `"${host}" is not a host name or IP address`);
      return undefined;
    }
    return { kind: 'tcp', host, port };
  }
  return undefined;
}

function planPort(value: number | string, at: string, resolve: Resolve, report: Report): number | undefined {
  const text = typeof value === 'number' ? String(value) : resolve(value, at);
  if (text === '') return undefined;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    report(at, `"${text}" is not a port number`);
    return undefined;
  }
  return port;
}
