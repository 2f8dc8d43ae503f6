import { IssuesError } from '../support/errors.js';
import type { PlannedService } from '../plan/types.js';

/** A renderer's complaint about a service's `config`, in the usual `file: path: message` form. */
export function configError(service: PlannedService, path: string, message: string): IssuesError {
  return new IssuesError([{ file: service.file, path: `config.${path}`, message }], `invalid config in ${service.file}`);
}

export function configString(service: PlannedService, key: string): string {
  const value = service.config[key];
  if (typeof value !== 'string' || value === '') throw configError(service, key, 'must be a non-empty string');
  return value;
}

export function requirePort(service: PlannedService, name: string) {
  const port = service.ports[name];
  if (!port) throw new IssuesError([{ file: service.file, path: 'ports', message: `the ${service.renderer} renderer needs a port named "${name}"` }]);
  return port;
}
