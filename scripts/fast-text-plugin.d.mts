import type { Plugin } from 'esbuild';
export function fastTextPlugin(options?: { redirected?: Set<string> }): Plugin;
