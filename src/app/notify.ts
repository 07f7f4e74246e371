/**
 * The monitor's notifications (issue 11): what reaches the user when a rule triggers, its order
 * is placed, fills, fails or is disarmed. They must work over SSH, where nothing on the remote
 * host can show a desktop notification, so the first channel is the terminal itself: the bell,
 * and the OSC 9 (iTerm2's) and OSC 777 (rxvt's `notify`, read by VTE, foot, Ghostty, WezTerm)
 * sequences the user's terminal turns into a desktop notification of its own. They print
 * nothing and do not move the cursor, so they can be written between Ink's frames.
 * The second channel is a command of the user's (a phone push, `notify-send`, a chat bot), run
 * with the notice in its environment. See docs/monitor.md#notifications.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '../runtime/logger.js';
import { describeError } from '../runtime/errors.js';

/** What the monitor tells the user about one rule. */
export type MonitorNotice = {
  kind: 'triggered' | 'ordered' | 'filled' | 'failed' | 'disarmed';
  ruleId: number;
  market: string;
  title: string;
  body: string;
  /** When it happened, ms since the epoch. */
  at: number;
};

export type NoticeKind = MonitorNotice['kind'];

/**
 * Which OSC sequences to send. `both` reaches more terminals, but one that reads both (WezTerm,
 * Ghostty) shows the notice twice: pick the one your terminal reads.
 */
export type OscMode = 'both' | '9' | '777' | 'none';

export interface TerminalNotifyOptions {
  /**
   * The program runs inside tmux (see {@link detectTerminalNotify}): each OSC goes through tmux's
   * DCS passthrough, which tmux 3.3 and later forward only with `set -g allow-passthrough on`
   * (https://github.com/tmux/tmux/wiki/FAQ, the passthrough question).
   * Without it tmux drops the sequence silently; the bell still rings.
   */
  tmux: boolean;
  osc: OscMode;
  /** Ring the terminal bell (BEL); tmux passes a bell on by itself (its `bell-action`). */
  bell: boolean;
}

const ESC = '\x1b';
const BEL = '\x07';

/** The most code points of a title, a body or an OSC 9 text: a notification is a line, not a log. */
export const NOTICE_TEXT_MAX = 200;

/**
 * Text fit to go inside an OSC: one line, no control character, at most `max` code points.
 * The text comes partly from the wire (a market name, an exchange's error message): an ESC, a
 * BEL, an ST (`ESC \` or U+009C) or a C1 CSI (U+009B) in it would end the sequence early and
 * have the terminal run what follows (retitle the window, move the cursor, worse).
 */
function oscText(text: string, max = NOTICE_TEXT_MAX): string {
  const line = text
    .replace(/\s+/gu, ' ')
    .replace(/\p{Cc}/gu, '')
    .trim();
  const chars = Array.from(line);
  return chars.length <= max ? line : `${chars.slice(0, max - 1).join('')}…`;
}

/** Inside tmux, a sequence for the terminal outside it: `ESC P tmux; <ESC doubled> ESC \`. */
function passthrough(sequence: string, tmux: boolean): string {
  return tmux ? `${ESC}Ptmux;${sequence.replaceAll(ESC, ESC + ESC)}${ESC}\\` : sequence;
}

/**
 * The bytes that tell the terminal about `notice`: BEL if `bell`, then `ESC ] 9 ; text BEL`
 * and/or `ESC ] 777 ; notify ; title ; body BEL`, each wrapped for tmux when `tmux`. Pure; an
 * empty string when there is nothing to send.
 */
export function terminalNotification(notice: MonitorNotice, opts: TerminalNotifyOptions): string {
  const title = oscText(notice.title);
  const body = oscText(notice.body);
  let out = opts.bell ? BEL : '';
  if (opts.osc === '9' || opts.osc === 'both') {
    // ConEmu and Windows Terminal read `OSC 9 ; <number> ;` as commands of their own (9;4 is a
    // progress bar: https://learn.microsoft.com/en-us/windows/terminal/tutorials/progress-bar-sequences),
    // so a text that starts that way loses its first `;`.
    const text = oscText(body === '' ? title : `${title}: ${body}`).replace(/^(\d+);/, '$1:');
    out += passthrough(`${ESC}]9;${text}${BEL}`, opts.tmux);
  }
  if (opts.osc === '777' || opts.osc === 'both') {
    // The title ends at the first `;`; the body is the rest, so it may keep its own.
    out += passthrough(`${ESC}]777;notify;${title.replaceAll(';', '')};${body}${BEL}`, opts.tmux);
  }
  return out;
}

/**
 * What the environment says about the terminal: inside tmux when `TMUX` is set (tmux sets it in
 * its panes), or when `TERM` is one of tmux's own (`tmux-256color`): that is how a program run
 * over SSH from a pane of a local tmux sees it, `TMUX` not being sent over SSH. The caller
 * writes the bytes only when stdout is a terminal.
 */
export function detectTerminalNotify(env: NodeJS.ProcessEnv): { tmux: boolean } {
  return { tmux: (env['TMUX'] ?? '') !== '' || /^tmux\b/.test(env['TERM'] ?? '') };
}

export interface NotifyHookOptions {
  /** The user's command, run by `/bin/sh -c`; undefined or blank: no hook. */
  command: string | undefined;
  logger: Logger;
  /** A run that has not exited by then is killed (SIGKILL, with what it started). @default 10000 */
  timeoutMs?: number;
  /** Runs at once; a notice arriving while this many still run is dropped, and logged. @default 4 */
  maxConcurrent?: number;
}

/** How much of a failed hook's stderr goes into the log. */
const STDERR_TAIL = 500;

/** A notice as the hook reads it: these fields, in this order, whatever else the object holds. */
function noticeJson(n: MonitorNotice): string {
  return JSON.stringify({ kind: n.kind, ruleId: n.ruleId, market: n.market, title: n.title, body: n.body, at: n.at });
}

/** An environment value cannot hold NUL (spawn refuses it); the JSON escapes it instead. */
function envValue(text: string): string {
  return text.replaceAll('\0', '');
}

/** Kill the hook and whatever it started: it leads its own process group (`detached`). */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
    return;
  } catch {
    // The group is gone already, or there are no groups (Windows): the child alone.
  }
  try {
    child.kill('SIGKILL');
  } catch {
    // Gone.
  }
}

/**
 * The user's notify command, run once per notice with the notice in its environment:
 * `UPBIT_TUI_NOTICE` (the notice as JSON), `UPBIT_TUI_KIND`, `UPBIT_TUI_RULE_ID`,
 * `UPBIT_TUI_MARKET`, `UPBIT_TUI_TITLE`, `UPBIT_TUI_BODY`. The text is never put into the
 * command line, so a market name or a message cannot inject shell.
 *
 * A hook is a guest in a program that guards money: {@link run} never throws and never waits;
 * a run that hangs is killed after `timeoutMs`, and no more than `maxConcurrent` run at once,
 * so a broken hook cannot pile up processes. Its failures go to the log (a warning naming the
 * command, with the end of its stderr); its stdout is ignored.
 */
export class NotifyHook {
  readonly #command: string | undefined;
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  readonly #maxConcurrent: number;
  /** Each run still going, and the promise of its end. */
  readonly #running = new Map<ChildProcess, Promise<void>>();
  #closed = false;

  constructor(opts: NotifyHookOptions) {
    const command = opts.command?.trim();
    this.#command = command === '' ? undefined : command;
    this.#logger = opts.logger;
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#maxConcurrent = Math.max(1, opts.maxConcurrent ?? 4);
  }

  /** How many runs are still going. */
  get running(): number {
    return this.#running.size;
  }

  /** Start the command for `notice`, if there is one; returns at once. */
  run(notice: MonitorNotice): void {
    const command = this.#command;
    if (command === undefined) return;
    const about = { command, kind: notice.kind, ruleId: notice.ruleId, market: notice.market };
    if (this.#closed) {
      this.#logger.warn(about, 'notify hook not run: the program is shutting down');
      return;
    }
    if (this.#running.size >= this.#maxConcurrent) {
      this.#logger.warn(
        { ...about, running: this.#running.size, maxConcurrent: this.#maxConcurrent },
        `notify hook not run for this notice: ${this.#running.size} runs of it have not exited yet; make the command exit sooner`,
      );
      return;
    }
    let child: ChildProcess;
    try {
      child = spawn(command, {
        shell: true,
        stdio: ['ignore', 'ignore', 'pipe'],
        // Its own process group, so a timeout kills what the shell started too. Not on
        // Windows, where detached opens a console window.
        detached: process.platform !== 'win32',
        windowsHide: true,
        env: {
          ...process.env,
          UPBIT_TUI_NOTICE: noticeJson(notice),
          UPBIT_TUI_KIND: notice.kind,
          UPBIT_TUI_RULE_ID: String(notice.ruleId),
          UPBIT_TUI_MARKET: envValue(notice.market),
          UPBIT_TUI_TITLE: envValue(notice.title),
          UPBIT_TUI_BODY: envValue(notice.body),
        },
      });
    } catch (err) {
      this.#logger.warn({ ...about, err }, `notify hook could not be started (${describeError(err)}); check the command`);
      return;
    }
    this.#running.set(child, this.#watch(child, about));
  }

  /** Kill the runs still going and resolve once they are gone; later notices are not run. Safe to call twice. */
  async close(): Promise<void> {
    this.#closed = true;
    const gone = [...this.#running.values()];
    for (const child of this.#running.keys()) killGroup(child);
    await Promise.all(gone);
  }

  #watch(child: ChildProcess, about: Record<string, unknown>): Promise<void> {
    return new Promise<void>((resolve) => {
      let stderr = '';
      let timedOut = false;
      let done = false;
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-STDERR_TAIL);
      });
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup(child);
      }, this.#timeoutMs);
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.#running.delete(child);
        resolve();
      };
      child.on('error', (err) => {
        this.#logger.warn({ ...about, err, stderr }, `notify hook failed: ${describeError(err)}; check the command`);
        // No process, so no 'close' to wait for.
        if (child.pid === undefined) finish();
      });
      // 'close', not 'exit': the stderr is whole, and what the shell left running holding it is done too.
      child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
        const fields = { ...about, code, signal, stderr };
        if (timedOut) this.#logger.warn({ ...fields, timeoutMs: this.#timeoutMs }, `notify hook killed: it had not exited after ${this.#timeoutMs} ms; make the command exit sooner`);
        else if (this.#closed && signal !== null) this.#logger.warn(fields, 'notify hook killed at shutdown before it exited; its notice may not have gone out');
        else if (signal !== null) this.#logger.warn(fields, `notify hook killed by ${signal}`);
        else if (code !== 0) this.#logger.warn(fields, `notify hook exited with code ${code}; check the command (its stderr is in the log line)`);
        finish();
      });
    });
  }
}

export interface NotifierOptions {
  /** Writes to the terminal (stdout while it is a TTY); undefined when headless, with no terminal. */
  write: ((bytes: string) => void) | undefined;
  terminal: TerminalNotifyOptions;
  hook?: Pick<NotifyHook, 'run'>;
  /** Where a failed write is logged. */
  logger: Logger;
}

/**
 * Kinds the terminal is told about. `ordered` comes a moment after `triggered` and before
 * `filled`: a bell and a desktop notification for it too would be noise, so only the hook hears it.
 */
const TERMINAL_KINDS: ReadonlySet<NoticeKind> = new Set<NoticeKind>(['triggered', 'filled', 'failed', 'disarmed']);

/** Both channels: the terminal (bell, OSC) for the kinds that ring, and the hook for every kind. Never throws. */
export class Notifier {
  readonly #opts: NotifierOptions;

  constructor(opts: NotifierOptions) {
    this.#opts = opts;
  }

  notify(notice: MonitorNotice): void {
    const { write, terminal, hook, logger } = this.#opts;
    if (write !== undefined && TERMINAL_KINDS.has(notice.kind)) {
      const bytes = terminalNotification(notice, terminal);
      if (bytes !== '') {
        try {
          write(bytes);
        } catch (err) {
          logger.warn({ err, kind: notice.kind, ruleId: notice.ruleId, market: notice.market }, 'notification not written to the terminal');
        }
      }
    }
    hook?.run(notice);
  }
}
