/** Foreground output: every line prefixed and coloured by its service, as compose tools do. */
import pc from 'picocolors';
import type { EngineEvent } from '../../engine/index.js';
import { describeEvent } from './event-line.js';

const PALETTE = [pc.cyan, pc.magenta, pc.yellow, pc.green, pc.blue, pc.red];

export function createPrefixedPrinter(names: readonly string[], write: (line: string) => void): (event: EngineEvent) => void {
  const width = Math.max(4, ...names.map((n) => n.length));
  const colour = new Map(names.map((name, i) => [name, PALETTE[i % PALETTE.length]!]));
  const prefix = (name: string) => (colour.get(name) ?? pc.white)(`${name.padEnd(width)} |`);
  const core = pc.dim(`${'core'.padEnd(width)} |`);
  return (event) => {
    if (event.type === 'output') return write(`${prefix(event.name)} ${event.line}`);
    const text = describeEvent(event);
    if (text) write(`${core} ${event.type === 'failed' || event.type === 'skipped' ? pc.red(text) : text}`);
  };
}
