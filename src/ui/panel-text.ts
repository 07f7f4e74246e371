/**
 * Lines of the focused-market panels (book, tape, chart) as runs of text, each with its own
 * colour: built by pure functions, measured by display width (never `.length`: text-width.ts),
 * and drawn as one `<Text>` per line holding one painted string, which is what Ink draws
 * cheapest (docs/terminal-rendering.md#cost-per-frame).
 */
import { fitName } from './table-text.js';
import { textWidth } from './text-width.js';
import { paint } from './theme.js';

/** A run of a line's text in one colour; `color` undefined leaves it unstyled. */
export interface Run {
  text: string;
  color?: string | undefined;
}

/** One line of a panel: its runs, left to right, exactly the panel's width in all. */
export type Line = readonly Run[];

/** A run of `text` in `color` (a theme colour, or undefined for plain). */
export function run(text: string, color?: string): Run {
  return { text, color };
}

/** The line as one string, its colour escapes in it (the same chalk Ink's `<Text color>` uses). */
export function lineText(line: Line): string {
  let out = '';
  for (const r of line) out += r.color === undefined || r.text.trim() === '' ? r.text : paint(r.text, r.color);
  return out;
}

/** Display width of a line (terminal cells). */
export function lineWidth(line: Line): number {
  let w = 0;
  for (const r of line) w += textWidth(r.text);
  return w;
}

/** `text` in exactly `width` cells, left-aligned, cut with `…`. */
export function fitLeft(text: string, width: number): string {
  return fitName(text, width);
}

/** `text` in exactly `width` cells, right-aligned; cut with `…` at the end when too wide. */
export function fitRight(text: string, width: number): string {
  if (width <= 0) return '';
  const w = textWidth(text);
  return w <= width ? ' '.repeat(width - w) + text : fitName(text, width);
}

/**
 * Runs joined, then cut or padded with spaces to exactly `width` cells. Adjacent runs of one
 * colour are merged (fewer escapes in the painted string).
 */
export function fitLine(runs: readonly Run[], width: number): Line {
  const out: Run[] = [];
  let used = 0;
  for (const r of runs) {
    if (used >= width) break;
    const w = textWidth(r.text);
    const text = used + w <= width ? r.text : fitName(r.text, width - used);
    used += textWidth(text);
    const last = out.at(-1);
    if (last !== undefined && last.color === r.color) out[out.length - 1] = { text: last.text + text, color: r.color };
    else out.push({ text, color: r.color });
  }
  if (used < width) {
    const last = out.at(-1);
    const pad = ' '.repeat(width - used);
    if (last !== undefined && last.color === undefined) out[out.length - 1] = { text: last.text + pad, color: undefined };
    else out.push({ text: pad, color: undefined });
  }
  return out;
}

/** A plain line of `text`, exactly `width` cells. */
export function textLine(text: string, width: number): Line {
  return fitLine([run(text)], width);
}

/** `n` blank lines of `width`. */
export function blankLines(n: number, width: number): Line[] {
  return Array.from({ length: Math.max(0, n) }, () => textLine('', width));
}

/** `HH:MM:SS` (or `HH:MM`) of `ms` in the local time zone of the machine the TUI runs on. */
export function clockText(ms: number, seconds = true): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  const hm = `${two(d.getHours())}:${two(d.getMinutes())}`;
  return seconds ? `${hm}:${two(d.getSeconds())}` : hm;
}

/**
 * A size (base currency) in at most `width` cells: as many decimals as fit (up to 8, Upbit's
 * volume precision), then compact (`12.3K`) when even the integer part does not fit.
 */
export function formatSize(size: number, width: number): string {
  if (!Number.isFinite(size)) return '?';
  for (let decimals = 8; decimals >= 0; decimals--) {
    const text = size.toFixed(decimals);
    if (text.length <= width) return text;
  }
  for (const [unit, suffix] of [
    [1e3, 'K'],
    [1e6, 'M'],
    [1e9, 'B'],
  ] as const) {
    const text = `${(size / unit).toFixed(1)}${suffix}`;
    if (text.length <= width) return text;
  }
  return size.toExponential(0);
}
