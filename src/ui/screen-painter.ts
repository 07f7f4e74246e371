/**
 * Paints Ink's frames onto the alternate screen at absolute positions, so that no resize can
 * leave a ghost row.
 *
 * Ink's own renderers (log-update, full-frame or incremental) move the cursor *relative* to
 * where the previous frame ended and erase as many rows as that frame had lines. A resize
 * breaks that count: a narrower terminal re-wraps (tmux, most emulators) or clips the old
 * frame, a shorter one scrolls it, and Ink re-renders the stale tree at the new width before
 * React has seen the new size, so the erase misses rows and a stale header or `BTC/KRW` row
 * stays above the live frame for good (issue 7, point 10). On the alternate screen we own
 * every cell and the frame always starts at the top left, so the painter never needs a
 * relative move:
 *
 * - each changed line is written at its own row (`CSI row;1 H`, then erase the line, then the
 *   text), unchanged lines are skipped (as few bytes as Ink's incremental renderer);
 * - everything below the frame is erased after every paint, and nothing is ever written
 *   below the terminal's last row (no newline is ever written, so the screen never scrolls);
 * - on every resize the whole screen is cleared and the next frame is painted in full, at
 *   the size Ink was told about: the frame after a resize is what a fresh start draws.
 *
 * Ink hands us whole frames in its `debug` mode, where it writes each rendered frame, and
 * nothing else, to stdout; the painter is that stdout. Writes go out inside a synchronized
 * update (DEC mode 2026, https://gist.github.com/christianparpart/d8a62cc1ab659194337d73e399004036),
 * which terminals without it ignore.
 */
import { EventEmitter } from 'node:events';

const CSI = '\x1b[';
const BEGIN_SYNC = `${CSI}?2026h`;
const END_SYNC = `${CSI}?2026l`;
const HIDE_CURSOR = `${CSI}?25l`;
const CLEAR_SCREEN = `${CSI}H${CSI}2J`;
const ERASE_LINE = `${CSI}2K`;
const ERASE_BELOW = `${CSI}J`;

/** Non-TTY or unknown sizes fall back to the classic 80×24, as Ink does. */
function sizeOf(stdout: NodeJS.WriteStream): { columns: number; rows: number } {
  return { columns: stdout.columns > 0 ? stdout.columns : 80, rows: stdout.rows > 0 ? stdout.rows : 24 };
}

/** Cursor to row `row` (0-based), first column. */
function at(row: number): string {
  return `${CSI}${row + 1};1H`;
}

export interface ScreenPainterOptions {
  /**
   * Where SIGWINCH arrives. A resize that ends at the size it started from (a quick drag)
   * changes no size and so fires no 'resize', yet the terminal may have cut or re-wrapped the
   * frame meanwhile: every SIGWINCH repaints the screen in full.
   * @default process
   */
  signals?: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
  /** Told the UTF-8 bytes written for each of Ink's frames (0: nothing changed), for `--metrics-file` (./render-metrics.ts). @default none */
  onPaint?: (bytes: number) => void;
}

/**
 * The stdout Ink renders to. Exposes the size Ink lays out for (updated, with a 'resize'
 * event, only after the real terminal resized and its screen was scheduled for a full
 * repaint) and paints every frame written to it.
 */
export class ScreenPainter extends EventEmitter {
  readonly isTTY = true;
  columns: number;
  rows: number;
  readonly #out: NodeJS.WriteStream;
  /** What each row of the screen holds now (the frame's lines, top first). */
  #painted: string[] = [];
  #full = true;
  #closed = false;
  /** Set by a size change until the next turn: the SIGWINCH behind it needs no second repaint. */
  #justResized = false;
  readonly #offResize: () => void;
  readonly #onPaint: ((bytes: number) => void) | undefined;

  constructor(out: NodeJS.WriteStream, { signals = process, onPaint }: ScreenPainterOptions = {}) {
    super();
    this.#out = out;
    this.#onPaint = onPaint;
    ({ columns: this.columns, rows: this.rows } = sizeOf(out));
    const onResize = (): void => this.#resized();
    const onWinch = (): void => this.#winched();
    out.on('resize', onResize);
    signals.on('SIGWINCH', onWinch);
    this.#offResize = () => {
      out.off('resize', onResize);
      signals.off('SIGWINCH', onWinch);
    };
  }

  /** Ink's stdout.write: each non-empty chunk is one whole frame. */
  write(chunk: string | Uint8Array, encoding?: BufferEncoding | ((error?: Error | null) => void), cb?: (error?: Error | null) => void): boolean {
    const done = typeof encoding === 'function' ? encoding : cb;
    const frame = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (this.#closed || frame === '') {
      // Ink's exit barrier writes '' and waits for the callback: let it pass through in order.
      if (done !== undefined) return this.#out.write('', done);
      return true;
    }
    const out = this.#paint(frame);
    this.#onPaint?.(out === '' ? 0 : Buffer.byteLength(out));
    if (out !== '') return this.#out.write(out, done);
    done?.();
    return true;
  }

  /** The bytes that bring the screen from what it shows to `frame`; empty when nothing changes. */
  #paint(frame: string): string {
    const lines = frame.split('\n');
    if (frame.endsWith('\n')) lines.pop();
    // Never below the last row: a frame laid out for a taller terminal is cut, not scrolled.
    if (lines.length > this.rows) lines.length = this.rows;
    const full = this.#full;
    let out = full ? CLEAR_SCREEN : '';
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] ?? '';
      if (!full && line === this.#painted[i]) continue;
      out += at(i) + ERASE_LINE + line;
    }
    this.#painted = lines;
    this.#full = false;
    if (out === '') return '';
    // Whatever is below the frame goes: the rows of a taller frame, or a line the terminal
    // wrapped because it was drawn for a wider one just before a resize reached us.
    if (lines.length < this.rows) out += at(lines.length) + ERASE_BELOW;
    // Hidden on every paint: cheap, and a terminal reset (or another program) may show it.
    return BEGIN_SYNC + HIDE_CURSOR + out + END_SYNC;
  }

  /** Stop painting for good (before the alternate screen is left) and stop watching resizes. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#offResize();
  }

  // What Ink's unmount checks before its final frame and exit barrier.
  get writable(): boolean {
    return !this.#closed && this.#out.writable;
  }
  get destroyed(): boolean {
    return this.#out.destroyed;
  }
  get writableEnded(): boolean {
    return this.#out.writableEnded;
  }
  get writableLength(): number {
    return this.#out.writableLength;
  }

  #resized(): void {
    const next = sizeOf(this.#out);
    if (next.columns === this.columns && next.rows === this.rows) return;
    this.columns = next.columns;
    this.rows = next.rows;
    // What the terminal did to the old frame (re-wrapped, clipped, scrolled) is unknown:
    // start from a blank screen. Ink and the size hook render the next frame synchronously
    // from this event, at the new size.
    this.#full = true;
    this.#justResized = true;
    setImmediate(() => {
      this.#justResized = false;
    });
    this.emit('resize');
  }

  /**
   * Clear the screen and paint the last frame again in full: for when something else may have
   * drawn on the terminal (SIGCONT after the shell had it, a SIGWINCH). No-op once closed.
   */
  repaint(): void {
    if (this.#closed) return;
    this.#full = true;
    const out = this.#paint(this.#painted.join('\n'));
    if (out !== '') this.#out.write(out);
  }

  /** Same size as far as we know, but the terminal may have touched the screen. */
  #winched(): void {
    if (!this.#justResized) this.repaint();
  }
}
