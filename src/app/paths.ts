import path from 'node:path';
import envPaths from 'env-paths';

/**
 * Where upbit-tui keeps its files, following the XDG base-directory spec on Linux
 * (env-paths honours XDG_STATE_HOME, XDG_DATA_HOME and XDG_CONFIG_HOME).
 */
export interface AppPaths {
  /** The log file: `$XDG_STATE_HOME/upbit-tui/upbit-tui.log` (default `~/.local/state/…`). */
  logFile: string;
  /** Durable data (journals, paper wallets, sim state): `$XDG_DATA_HOME/upbit-tui`. */
  dataDir: string;
  /**
   * The user's config file, which the app reads and never writes (docs/configuration.md):
   * `$XDG_CONFIG_HOME/upbit-tui/config.json` (default `~/.config/upbit-tui/config.json`).
   */
  configFile: string;
}

export function appPaths(env: NodeJS.ProcessEnv = process.env): AppPaths {
  // env-paths reads process.env itself; resolve XDG variables from `env` for testability.
  const home = env['HOME'] ?? '';
  const p = envPaths('upbit-tui', { suffix: '' });
  const stateHome = env['XDG_STATE_HOME'];
  const dataHome = env['XDG_DATA_HOME'];
  const configHome = env['XDG_CONFIG_HOME'];
  const logDir = stateHome ? path.join(stateHome, 'upbit-tui') : home ? path.join(home, '.local', 'state', 'upbit-tui') : p.log;
  const dataDir = dataHome ? path.join(dataHome, 'upbit-tui') : home ? path.join(home, '.local', 'share', 'upbit-tui') : p.data;
  const configDir = configHome ? path.join(configHome, 'upbit-tui') : home ? path.join(home, '.config', 'upbit-tui') : p.config;
  return { logFile: path.join(logDir, 'upbit-tui.log'), dataDir, configFile: path.join(configDir, 'config.json') };
}
