import type { SimServer } from './server.js';

/**
 * The lines to print when the simulator runs standalone. Scripts may parse them, so each
 * line is `<label> <value>` and the `ws` line keeps this exact format.
 */
export function simBanner(server: Pick<SimServer, 'wsUrl'>): string[] {
  return [`ws ${server.wsUrl}`];
}
