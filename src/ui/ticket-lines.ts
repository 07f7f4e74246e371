/**
 * The order ticket's lines below its title, fitted to the body it is given: each sentence
 * wrapped to the width here (so its height is known before Ink draws it), and, when they do
 * not all fit, the least important left out, in this order of importance: the fields, the
 * problems, the confirmation or the phase, the totals (and the quick sizes' keys), the price
 * note, the estimate, the warnings, the caveats. What is left out is counted on a last line that says how to see it;
 * the confirmation loses its border before any of its own lines. The frame is never taller
 * than the terminal (docs/terminal-rendering.md#frame-height). Pure.
 */
import { HUNDRED } from '../trading/decimal.js';
import { formatAmount, plain } from '../trading/money.js';
import { fitName } from './table-text.js';
import { textWidth } from './text-width.js';
import type { Theme } from './theme.js';
import { confirmationText, estimateText, money, type TicketFieldView, type TicketView } from './ticket-derive.js';
import type { TicketState } from './ticket-state.js';

/** One line of the ticket, at most the width it was fitted to. */
export interface TicketLine {
  key: string;
  text: string;
  color?: string | undefined;
  bold: boolean;
  dim: boolean;
}

export interface TicketLayout {
  /** The lines between the title and the confirmation (or, outside it, all of them). */
  lines: readonly TicketLine[];
  /** The confirmation's lines, null outside it. */
  confirmation: { lines: readonly TicketLine[]; boxed: boolean } | null;
  /** Lines left out for want of rows, said on the ticket's last line (when there is a row for it: `height` > 0). */
  hidden: number;
}

/** Importance: lower is kept first. Parts up to `confirm` may be cut short; the others show whole or not at all. */
const RANK = { must: 0, field: 1, problem: 2, confirm: 3, totals: 4, note: 5, estimate: 6, warning: 7, caveat: 8 } as const;

/** Columns of the confirmation's round border and its padding of one on each side. */
const BOX_X = 4;
/** Rows of its border. */
const BOX_Y = 2;

const LABEL_WIDTH = 15;
/** Between the totals' figures, and where their line breaks: a figure is not split from its label. */
const TOTALS_SEP = '   ';

interface Part {
  lines: readonly TicketLine[];
  rank: number;
  inBox: boolean;
}

type Style = Partial<Pick<TicketLine, 'color' | 'bold' | 'dim'>>;

/**
 * `text` as lines of at most `width` cells, broken between its pieces (`sep`: words; a piece
 * wider than a line is broken between its words, and a word only when it is wider than a line).
 */
export function wrapText(text: string, width: number, sep = ' '): string[] {
  if (width <= 0) return [];
  const out: string[] = [];
  let line = '';
  for (const piece of text.split(sep)) {
    const joined = line === '' ? piece : `${line}${sep}${piece}`;
    if (textWidth(joined) <= width) {
      line = joined;
      continue;
    }
    if (line !== '') out.push(line);
    line = '';
    if (textWidth(piece) <= width) line = piece;
    else if (sep !== ' ') {
      const lines = wrapText(piece, width);
      line = lines.pop() ?? '';
      out.push(...lines);
    } else {
      for (const ch of piece) {
        if (textWidth(line + ch) > width) {
          out.push(line);
          line = '';
        }
        line += ch;
      }
    }
  }
  if (line !== '' || out.length === 0) out.push(line);
  return out;
}

/** One line cut to `width` with `…`. */
function cut(text: string, width: number): string {
  return textWidth(text) <= width ? text : fitName(text, width);
}

function part(key: string, texts: readonly string[], width: number, rank: number, style: Style = {}, inBox = false, sep = ' '): Part {
  const lines = texts
    .filter((t) => t !== '')
    .flatMap((t, i) => wrapText(t, width, sep).map((text, j) => ({ key: `${key}.${i}.${j}`, text, color: style.color, bold: style.bold ?? false, dim: style.dim ?? false })));
  return { lines, rank, inBox };
}

function fieldLine(field: TicketFieldView, editing: boolean, width: number, theme: Theme): Part {
  const marker = field.focused ? '>' : ' ';
  const choice = field.field === 'type' || field.field === 'tif';
  // The cursor shows where typing goes; a choice shows that ←/→ change it.
  const value = field.focused && editing ? (choice ? `‹ ${field.text} ›` : `${field.text}_`) : field.text;
  const text = cut(`${marker} ${field.label.padEnd(LABEL_WIDTH)}${value}${field.unit === '' ? '' : ` ${field.unit}`}`, width);
  // The quick sizes are keys, not a value of the order: below the totals unless they are where the cursor is.
  const rank = field.field === 'quick' && !field.focused ? RANK.totals : RANK.field;
  return { lines: [{ key: `field.${field.field}`, text, bold: field.focused && theme.attributes, dim: false }], rank, inBox: false };
}

function totalsText(view: TicketView): string {
  const { amounts, quote, base } = view;
  const rate = `${plain(view.feeRate.mul(HUNDRED))} %`;
  const parts: string[] = [];
  if (amounts === null) parts.push(`Fee ${rate}`);
  else {
    const about = amounts.estimated ? 'about ' : '';
    parts.push(`Fee ${rate}: ${about}${money(amounts.fee, quote)}`);
    parts.push(amounts.kind === 'cost' ? `Total cost ${about}${money(amounts.net, quote)}` : `Proceeds ${about}${money(amounts.net, quote)}`);
  }
  if (view.available === undefined) parts.push('Available: not read yet');
  else parts.push(view.side === 'bid' ? `Available ${money(view.available.quote, quote)}` : `Available ${formatAmount(view.available.base)} ${base}`);
  return parts.join(TOTALS_SEP);
}

function phasePart(state: TicketState, width: number, theme: Theme): Part {
  switch (state.phase) {
    case 'sending':
      return part('phase', ['Sending… (cannot be sent twice)'], width, RANK.must, { color: theme.warn });
    case 'done':
      return part('phase', [state.message ?? 'Done.'], width, RANK.must, { color: theme.good });
    case 'refused':
      return part('phase', [state.message ?? 'Refused.'], width, RANK.must, { color: theme.bad });
    default:
      return part('phase', [state.message ?? ''], width, RANK.must, { color: theme.warn });
  }
}

/** The review before sending: the whole order in words; LIVE in red, and its own key. */
function confirmationParts(view: TicketView, state: TicketState, width: number, theme: Theme): Part[] {
  const live = state.mode === 'live';
  const red = live ? theme.bad : undefined;
  const [mode = '', order = '', ...rest] = confirmationText(view, state);
  const estimate = estimateText(view);
  const others = rest.filter((l) => l !== estimate);
  const key = live ? 'Type Y (shift+y) to send this LIVE order, n/Esc to go back.' : 'Press y to send, n/Esc to go back.';
  return [
    // The title says the mode too; the sentence is kept before it unless the money is real.
    part('mode', [mode], width, live ? RANK.problem : RANK.totals, { bold: live && theme.attributes, color: red }, true),
    part('order', [order], width, RANK.confirm, {}, true),
    part('estimate', estimate !== null && rest.includes(estimate) ? [estimate] : [], width, RANK.estimate, {}, true),
    part('warnings', others, width, RANK.warning, {}, true),
    part('key', [key], width, RANK.must, { bold: theme.attributes, color: red }, true),
    part('message', [state.message ?? ''], width, RANK.confirm, { color: theme.warn }, true),
  ];
}

function ticketParts(view: TicketView, state: TicketState, width: number, boxWidth: number, theme: Theme): Part[] {
  const editing = state.phase === 'editing';
  return [
    ...view.fields.map((f) => fieldLine(f, editing, width, theme)),
    part('note', view.priceNote === null ? [] : [view.priceNote], width, RANK.note, { color: theme.warn }),
    part('totals', [totalsText(view)], width, RANK.totals, {}, false, TOTALS_SEP),
    part('estimate', [estimateText(view) ?? ''], width, RANK.estimate),
    part('warnings', view.warnings, width, RANK.warning, { color: theme.warn }),
    ...view.problems.map((p, i) => part(`problem${i}`, [p.message], width, RANK.problem, { color: p.code === 'missing' ? undefined : theme.bad })),
    part('caveats', view.caveats, width, RANK.caveat, { dim: theme.attributes }),
    ...(state.phase === 'confirming' ? confirmationParts(view, state, boxWidth, theme) : [phasePart(state, width, theme)]),
  ];
}

/** How many lines of each part fit in `budget`, most important first; once one is left out, so is everything less important. */
function choose(parts: readonly Part[], budget: number): { counts: number[]; hidden: number } {
  const counts = parts.map(() => 0);
  let left = budget;
  let hidden = 0;
  let full = false;
  const order = parts.map((_, i) => i).sort((a, b) => parts[a]!.rank - parts[b]!.rank || a - b);
  for (const i of order) {
    const n = parts[i]!.lines.length;
    const take = !full && n <= left ? n : parts[i]!.rank <= RANK.confirm ? Math.min(n, left) : 0;
    if (take < n) full = true;
    counts[i] = take;
    left -= take;
    hidden += n - take;
  }
  return { counts, hidden };
}

/**
 * The ticket's lines for `width` columns and `height` rows below its title. The confirmation
 * keeps its border while everything fits with it; the last row says how many lines were left
 * out, if any.
 */
export function ticketLayout(view: TicketView, state: TicketState, width: number, height: number, theme: Theme): TicketLayout {
  const confirming = state.phase === 'confirming';
  const fit = (boxed: boolean): TicketLayout => {
    const parts = ticketParts(view, state, width, boxed ? width - BOX_X : width, theme);
    const budget = Math.max(0, height - (boxed ? BOX_Y : 0));
    let chosen = choose(parts, budget);
    // The line that counts what is left out takes a row of its own.
    if (chosen.hidden > 0 && budget > 0) chosen = choose(parts, budget - 1);
    const shown = (inBox: boolean): TicketLine[] => parts.flatMap((p, i) => (p.inBox === inBox ? p.lines.slice(0, chosen.counts[i]) : []));
    return { lines: shown(false), confirmation: confirming ? { lines: shown(true), boxed } : null, hidden: chosen.hidden };
  };
  if (!confirming) return fit(false);
  const boxed = fit(true);
  return boxed.hidden === 0 && width > BOX_X ? boxed : fit(false);
}

/** The last row when lines were left out. */
export function hiddenText(hidden: number): string {
  return `… ${hidden} more line${hidden === 1 ? '' : 's'}: make the terminal taller`;
}
