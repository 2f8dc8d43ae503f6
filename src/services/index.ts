import type { PlannedService } from '../plan/types.js';
import { renderCaddy } from './caddy.js';
import { renderNats } from './nats.js';
import { renderPocketbase } from './pocketbase.js';
import type { Renderer } from './types.js';

const RENDERERS: Record<NonNullable<PlannedService['renderer']>, Renderer> = {
  nats: renderNats,
  caddy: renderCaddy,
  pocketbase: renderPocketbase,
};

export function rendererFor(service: PlannedService): Renderer | undefined {
  return service.renderer && RENDERERS[service.renderer];
}
