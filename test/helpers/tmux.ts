import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, ROOT } from './pty.js';

/** Whether a tmux binary is on PATH (a second terminal emulator, with its own reflow rules). */
export function tmuxAvailable(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let servers = 0;

/**
 * `node bin/upbit-tui.js ARGS` in a pane of a private tmux server (its own socket, no config),
 * detached, at a given size. The pane stays after the program exits, so its main screen can be
 * read; `EXIT=<code>` is printed there.
 */
export class TmuxPane {
  readonly #socket = `upbit-tui-test-${process.pid}-${servers++}`;
  readonly #env: NodeJS.ProcessEnv;

  constructor(args: string[], cols: number, rows: number) {
    const home = mkdtempSync(path.join(tmpdir(), 'upbit-tui-tmux-'));
    this.#env = { ...process.env, XDG_STATE_HOME: home, XDG_DATA_HOME: home, TERM: 'xterm-256color' };
    delete this.#env.TMUX;
    const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const command = `cd '${ROOT}' && node ${BIN} ${quoted}; echo "EXIT=$?"; sleep 120`;
    this.#tmux('new-session', '-d', '-s', 'main', '-x', String(cols), '-y', String(rows), command);
    // Sizes are set by resize-window, not by (absent) clients.
    this.#tmux('set-option', '-g', 'window-size', 'manual');
  }

  /** The visible screen, one string per row. */
  screen(): string[] {
    return this.#tmux('capture-pane', '-p', '-t', 'main').split('\n');
  }

  /** The pane's history and screen: what the user can scroll back to. */
  everything(): string[] {
    return this.#tmux('capture-pane', '-p', '-S', '-', '-t', 'main').split('\n');
  }

  resize(cols: number, rows: number): void {
    this.#tmux('resize-window', '-t', 'main', '-x', String(cols), '-y', String(rows));
  }

  sendKeys(keys: string): void {
    this.#tmux('send-keys', '-t', 'main', '-l', keys);
  }

  kill(): void {
    try {
      this.#tmux('kill-server');
    } catch {
      // Already gone.
    }
  }

  #tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.#socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env: this.#env });
  }
}
