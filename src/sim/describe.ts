import type { SimServer } from './server.js';

export interface BannerKeys {
  accessKey: string;
  /** Only when the simulator generated it; a secret the user supplied is never printed. */
  secretKey?: string;
}

/**
 * The lines to print when the simulator runs standalone. Scripts parse them, so each line
 * is `<label> <value>`, in this order: `rest`, `ws`, then `access-key` and (only for a
 * generated pair) `secret-key`.
 */
export function simBanner(server: Pick<SimServer, 'restUrl' | 'wsUrl'>, keys?: BannerKeys): string[] {
  const lines = [`rest ${server.restUrl}`, `ws ${server.wsUrl}`];
  if (keys !== undefined) {
    lines.push(`access-key ${keys.accessKey}`);
    if (keys.secretKey !== undefined) lines.push(`secret-key ${keys.secretKey}`);
  }
  return lines;
}
