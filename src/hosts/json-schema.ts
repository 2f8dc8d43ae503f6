/** The hosts file's JSON Schema, generated from the zod schema (never written by hand). */
import { z } from 'zod';
import { HostsFileSchema } from './schema.js';

export function hostsJsonSchema(): string {
  const schema = z.toJSONSchema(HostsFileSchema, { io: 'input', target: 'draft-2020-12' });
  return `${JSON.stringify({ ...schema, $id: 'https://core.local/schema/hosts.schema.json', title: 'core hosts file' }, null, 2)}\n`;
}
