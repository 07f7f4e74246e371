/**
 * Every key of the TUI as data: one table that the input router matches against, the footer
 * and the `?` help overlay list, and `--help` and the README print, so no two can drift. The
 * config file may give an action other keys ({@link remapKeys}); the table it produces is
 * what all of them read.
 */
import type { Key } from 'ink';

/** The screens of the view stack (./ui-state.ts): where a key works. */
export type ViewKind = 'watchlist' | 'market' | 'ticket' | 'orders' | 'portfolio' | 'log' | 'tasks';

/** How --help, the README and the help overlay name each view. */
export const VIEW_PLACES: Readonly<Record<ViewKind, string>> = {
  watchlist: 'the watchlist',
  market: 'a focused market',
  ticket: 'the order ticket',
  orders: 'orders',
  portfolio: 'the portfolio',
  log: 'the log',
  tasks: 'the task list',
};

/** What a key can do. The router turns an action into a UI event or an application call. */
export type ActionId =
  | 'search'
  | 'up'
  | 'down'
  | 'focus'
  | 'remove'
  | 'buy'
  | 'sell'
  | 'orders'
  | 'cancel'
  | 'cancel-all'
  | 'portfolio'
  | 'log'
  | 'tasks'
  | 'help'
  | 'back'
  | 'quit'
  | 'interrupt';

/** A part of the application an action needs; without it the key is not bound (and not listed). */
export type Capability = 'trading' | 'tasks' | 'market' | 'log';

export interface BindingDef {
  action: ActionId;
  /** The default keys, in the spec grammar of {@link parseKeySpec}. */
  keys: readonly string[];
  /** The views where it works; `anywhere` includes views stacked on any of them. */
  where: 'anywhere' | readonly ViewKind[];
  /** The footer's word(s). */
  description: string;
  /** What --help, the README and the help overlay add to the description. */
  note?: string;
  /** Not remappable: the one way out must always be there. */
  fixed?: boolean;
  /** Still works when stdin is not a terminal (no raw mode): Ctrl+C then arrives as SIGINT. */
  viaSignal?: boolean;
  /**
   * Still live while an input has focus (the search box, a ticket field). Every other key
   * there is text: `q` typed into a price is a `q`.
   */
  inInput?: boolean;
  needs?: Capability;
}

const LISTS: readonly ViewKind[] = ['watchlist', 'orders', 'log', 'tasks', 'portfolio'];

/** The default bindings, in the order help lists them. */
export const BINDINGS: readonly BindingDef[] = [
  { action: 'search', keys: ['/'], where: 'anywhere', description: 'search', note: 'every KRW market by code, Korean or English name; Enter adds it to the watchlist' },
  { action: 'up', keys: ['up', 'k'], where: LISTS, description: 'move', note: 'the selection up' },
  { action: 'down', keys: ['down', 'j'], where: LISTS, description: 'move', note: 'the selection down' },
  { action: 'focus', keys: ['enter'], where: ['watchlist'], description: 'focus', note: 'order book, trades and chart of the selected market', needs: 'market' },
  { action: 'remove', keys: ['d'], where: ['watchlist'], description: 'remove', note: 'the selected market; asks first when it has open orders' },
  { action: 'buy', keys: ['b'], where: ['watchlist', 'market'], description: 'buy', note: 'order ticket for the selected market', needs: 'trading' },
  { action: 'sell', keys: ['s'], where: ['watchlist', 'market'], description: 'sell', note: 'order ticket for the selected market', needs: 'trading' },
  { action: 'orders', keys: ['o'], where: 'anywhere', description: 'orders', note: 'open orders and recent fills', needs: 'trading' },
  { action: 'cancel', keys: ['c'], where: ['orders'], description: 'cancel', note: 'the selected order; asks y/n', needs: 'trading' },
  { action: 'cancel-all', keys: ['C'], where: ['orders'], description: 'cancel all mine', note: 'every open order this app placed; asks y/n', needs: 'trading' },
  { action: 'portfolio', keys: ['p'], where: 'anywhere', description: 'portfolio', needs: 'trading' },
  { action: 'log', keys: ['l'], where: 'anywhere', description: 'log', note: "this run's orders, fills, refusals and notices", needs: 'log' },
  { action: 'tasks', keys: ['t'], where: 'anywhere', description: 'tasks', note: 'the running tasks', needs: 'tasks' },
  { action: 'help', keys: ['?'], where: 'anywhere', description: 'help', note: 'every key that works where you are' },
  { action: 'back', keys: ['esc'], where: 'anywhere', description: 'back', note: 'one level; never quits', inInput: true },
  { action: 'quit', keys: ['q'], where: 'anywhere', description: 'quit', note: 'exit code 0; asks first while an order is being sent' },
  {
    action: 'interrupt',
    keys: ['ctrl+c'],
    where: 'anywhere',
    description: 'quit',
    note: 'exit code 130; new orders stop at once; with open orders of this app, asks to leave (Enter, default after 5 s) or cancel (c) them; press again to force an immediate exit',
    fixed: true,
    viaSignal: true,
    inInput: true,
  },
];

// ---- key specs -------------------------------------------------------------------------------

/** Named keys and the flag Ink sets for each. */
const NAMED = {
  up: 'upArrow',
  down: 'downArrow',
  left: 'leftArrow',
  right: 'rightArrow',
  enter: 'return',
  esc: 'escape',
  tab: 'tab',
  backspace: 'backspace',
  delete: 'delete',
  pageup: 'pageUp',
  pagedown: 'pageDown',
  home: 'home',
  end: 'end',
} as const satisfies Record<string, keyof Key>;
type NamedKey = keyof typeof NAMED;
const ALIASES: Readonly<Record<string, NamedKey>> = { return: 'enter', escape: 'esc' };
const LABELS: Partial<Record<NamedKey, string>> = { up: '↑', down: '↓', left: '←', right: '→' };

/** A parsed key: a named key, or one character; with Ctrl or Alt (Ink reports Alt as meta). */
export interface KeySpec {
  /** As the user wrote it, normalised (`ctrl+x`, `alt+1`, `enter`, `C`): the help's label. */
  readonly text: string;
  readonly named: NamedKey | null;
  /** The character for a character key (case matters: `C` is Shift+c). */
  readonly char: string | null;
  readonly ctrl: boolean;
  readonly alt: boolean;
  readonly shift: boolean;
}

/** What a key spec may be, for the config file's messages. */
export const KEY_SPEC_HELP = `one character (e.g. "x", "C", "?"), ${Object.keys(NAMED)
  .map((k) => `"${k}"`)
  .join(', ')}, "space", or one of those after "ctrl+", "alt+" or "shift+" (e.g. "ctrl+o", "alt+1", "shift+tab")`;

/** `ctrl+o`, `alt+1`, `shift+tab`, `enter`, `C`, `?`; null when it is none of those. */
export function parseKeySpec(text: string): KeySpec | null {
  let rest = text.trim();
  let ctrl = false;
  let alt = false;
  let shift = false;
  // A lone "+" is a character key, so only strip modifiers that have something after them.
  for (;;) {
    const m = /^(ctrl|alt|meta|shift)\+(.+)$/i.exec(rest);
    if (m === null) break;
    const mod = (m[1] ?? '').toLowerCase();
    if (mod === 'ctrl') ctrl = true;
    else if (mod === 'shift') shift = true;
    else alt = true;
    rest = m[2] ?? '';
  }
  const lower = rest.toLowerCase();
  const named = lower in NAMED ? (lower as NamedKey) : ALIASES[lower];
  const mods = `${ctrl ? 'ctrl+' : ''}${alt ? 'alt+' : ''}${shift ? 'shift+' : ''}`;
  if (named !== undefined) return { text: `${mods}${named}`, named, char: null, ctrl, alt, shift };
  const char = lower === 'space' ? ' ' : rest;
  // One code point, printable (no controls: those are what the named keys are for).
  if ([...char].length !== 1 || /\p{C}/u.test(char)) return null;
  if (shift) return null; // Shift+character is the character itself: say "C", not "shift+c".
  if (ctrl && !/^[a-z]$/i.test(char)) return null; // terminals send Ctrl only with letters
  const c = ctrl ? char.toLowerCase() : char;
  return { text: `${mods}${c === ' ' ? 'space' : c}`, named: null, char: c, ctrl, alt, shift: false };
}

/** The parts of Ink's `Key` a spec looks at. */
export type KeyPress = Partial<Key>;

/** Whether Ink's report of a key press (`input`, `key`) is this key. */
export function matchesKey(spec: KeySpec, input: string, key: KeyPress): boolean {
  if (spec.named !== null) {
    if (key[NAMED[spec.named]] !== true) return false;
    if ((key.ctrl === true) !== spec.ctrl) return false;
    // A lone Esc byte is reported as escape with meta set, so Alt cannot be told apart there.
    if (spec.named !== 'esc' && (key.meta === true) !== spec.alt) return false;
    return (key.shift === true) === spec.shift || spec.named !== 'tab';
  }
  return input === spec.char && (key.ctrl === true) === spec.ctrl && (key.meta === true) === spec.alt;
}

/** How help and the footer show a key: arrows as arrows, the rest as written. */
export function keyLabel(spec: KeySpec): string {
  if (spec.named !== null && LABELS[spec.named] !== undefined && !spec.ctrl && !spec.alt && !spec.shift) return LABELS[spec.named] ?? spec.text;
  return spec.text;
}

/** Whether the key types a character into an input (so must not act as a shortcut there). */
export function isTextKey(spec: KeySpec): boolean {
  return spec.char !== null && !spec.ctrl && !spec.alt;
}

// ---- the resolved table ------------------------------------------------------------------------

export interface Binding extends BindingDef {
  readonly specs: readonly KeySpec[];
}

export type KeyTable = readonly Binding[];

/** A problem with the config file's `keys`, said as the config loader says its own. */
export interface KeyProblem {
  /** The config key, e.g. `keys.buy`. */
  key: string;
  message: string;
}

function specsOf(keys: readonly string[]): KeySpec[] {
  return keys.map((k) => {
    const spec = parseKeySpec(k);
    if (spec === null) throw new Error(`BUG: the default key "${k}" is not a key spec`);
    return spec;
  });
}

/** The default table. */
export const DEFAULT_KEYS: KeyTable = BINDINGS.map((b) => ({ ...b, specs: specsOf(b.keys) }));

function places(b: BindingDef): readonly ViewKind[] {
  return b.where === 'anywhere' ? (Object.keys(VIEW_PLACES) as ViewKind[]) : b.where;
}

function overlaps(a: BindingDef, b: BindingDef): boolean {
  const there = places(b);
  return places(a).some((v) => there.includes(v));
}

const ACTIONS: ReadonlySet<string> = new Set(BINDINGS.map((b) => b.action));

/**
 * The table with the config file's keys applied (`{ "buy": ["B"], "orders": ["ctrl+o"] }`
 * replaces those actions' keys). Each action is taken or refused on its own: an unknown
 * action, a key that is not a key, a fixed action, or a key that another action already uses
 * in the same place keeps that action's defaults, with a problem that says what to write.
 */
export function remapKeys(overrides: Readonly<Record<string, readonly string[]>>, base: KeyTable = DEFAULT_KEYS): { table: KeyTable; problems: KeyProblem[] } {
  const problems: KeyProblem[] = [];
  let table = [...base];
  for (const [action, keys] of Object.entries(overrides)) {
    const key = `keys.${action}`;
    const at = table.findIndex((b) => b.action === action);
    const current = table[at];
    if (!ACTIONS.has(action) || current === undefined) {
      problems.push({ key, message: `"${action}" is not an action; the actions are ${[...ACTIONS].map((a) => `"${a}"`).join(', ')}. Ignored.` });
      continue;
    }
    if (current.fixed === true) {
      problems.push({ key, message: `${current.keys.join(', ')} always does this and cannot be remapped. Ignored.` });
      continue;
    }
    if (keys.length === 0) {
      problems.push({ key, message: `give at least one key (${KEY_SPEC_HELP}). Keeping ${current.keys.join(', ')}.` });
      continue;
    }
    const specs = keys.map((k) => [k, parseKeySpec(k)] as const);
    const bad = specs.find(([, s]) => s === null);
    if (bad !== undefined) {
      problems.push({ key, message: `"${bad[0]}" is not a key: use ${KEY_SPEC_HELP}. Keeping ${current.keys.join(', ')}.` });
      continue;
    }
    const parsed = specs.map(([, s]) => s as KeySpec);
    const clash = parsed
      .map((s) => ({ s, other: table.find((b) => b.action !== action && overlaps(b, current) && b.specs.some((o) => o.text === s.text)) }))
      .find((c) => c.other !== undefined);
    if (clash?.other !== undefined) {
      problems.push({ key, message: `"${clash.s.text}" already does "${clash.other.action}" there; remap that one too, or pick another key. Keeping ${current.keys.join(', ')}.` });
      continue;
    }
    table = table.map((b, i) => (i === at ? { ...b, keys: parsed.map((s) => s.text), specs: parsed } : b));
  }
  return { table, problems };
}

/** Where the router is, which decides the keys that are live. */
export interface KeyContext {
  /** The view on top of the stack. */
  view: ViewKind;
  /** An input has focus (the search box, a ticket field): only `inInput` keys stay shortcuts. */
  inInput: boolean;
  /** stdin is a terminal in raw mode; without it only the signal path (Ctrl+C) is left. */
  rawMode: boolean;
  has: Readonly<Record<Capability, boolean>>;
}

/** Actions that open a view: not live on that view itself, where they would do nothing. */
const OPENS: Partial<Record<ActionId, ViewKind>> = { orders: 'orders', portfolio: 'portfolio', log: 'log', tasks: 'tasks' };

/** Exactly the bindings that work in `ctx`, in table order: what help and the footer list. */
export function activeBindings(table: KeyTable, ctx: KeyContext): Binding[] {
  return table.filter((b) => {
    if (!ctx.rawMode) return b.viaSignal === true;
    if (b.needs !== undefined && !ctx.has[b.needs]) return false;
    if (!places(b).includes(ctx.view) || OPENS[b.action] === ctx.view) return false;
    // In an input only keys that cannot be text stay shortcuts.
    if (ctx.inInput) return b.inInput === true || b.specs.every((s) => !isTextKey(s));
    return true;
  });
}

/** The action a key press triggers among `active`, if any. */
export function resolveKey(active: readonly Binding[], input: string, key: KeyPress): ActionId | undefined {
  return active.find((b) => b.specs.some((s) => matchesKey(s, input, key)))?.action;
}

/** Keys the footer always keeps, whatever the width: the way to help and the way out. */
const FOOTER_ALWAYS: ReadonlySet<ActionId> = new Set(['help', 'quit', 'interrupt']);

/**
 * `↑/k/↓/j move  q/ctrl+c quit`: keys sharing a description are grouped. Within `width` the
 * footer keeps the view's own keys first, then help and quit (always), then the keys that
 * work everywhere, in table order, as many as fit; `?` lists them all.
 *
 * `lead` is a view's own hint written in words (the ticket's `tab/↓ next  ←/→ type …`): it
 * comes first, but yields to help and quit, losing items from its end until they fit.
 */
export function keyHint(bindings: readonly Binding[], width = Infinity, lead = ''): string {
  if (lead === '') return tableHint(bindings, width);
  const always = tableHint(bindings, 0);
  const items = lead.split('  ');
  while (items.length > 0 && items.join('  ').length + 2 + always.length > width) items.pop();
  const head = items.join('  ');
  return head === '' ? tableHint(bindings, width) : `${head}  ${tableHint(bindings, Math.max(0, width - head.length - 2))}`;
}

function tableHint(bindings: readonly Binding[], width: number): string {
  const groups = new Map<string, { keys: string[]; rank: number; order: number }>();
  bindings.forEach((b, order) => {
    const rank = b.where !== 'anywhere' ? 0 : FOOTER_ALWAYS.has(b.action) ? 1 : 2;
    const group = groups.get(b.description) ?? { keys: [], rank, order };
    group.keys.push(...b.specs.map(keyLabel));
    group.rank = Math.min(group.rank, rank);
    groups.set(b.description, group);
  });
  const text = (d: string, g: { keys: string[] }): string => `${g.keys.join('/')} ${d}`;
  const all = [...groups];
  const must = all.filter(([, g]) => g.rank === 1);
  let room = width - must.reduce((n, [d, g]) => n + text(d, g).length + 2, 0);
  const kept = new Set(must.map(([d]) => d));
  for (const [d, g] of [...all].sort((a, b) => a[1].rank - b[1].rank || a[1].order - b[1].order)) {
    if (kept.has(d)) continue;
    const cost = text(d, g).length + 2;
    if (cost > room) continue;
    room -= cost;
    kept.add(d);
  }
  return all
    .filter(([d]) => kept.has(d))
    .sort((a, b) => a[1].rank - b[1].rank || a[1].order - b[1].order)
    .map(([d, g]) => text(d, g))
    .join('  ');
}

/** One line of the key reference: these keys, and what they do. */
export interface KeyReferenceEntry {
  keys: readonly string[];
  /** Where the keys work; `undefined` for keys that work everywhere. */
  place: string | undefined;
  description: string;
  note: string | undefined;
}

/** Every key of the TUI, in table order: the source of `--help`'s Keys and the README's key table. */
export function keyReference(table: KeyTable = DEFAULT_KEYS): KeyReferenceEntry[] {
  return table.map((b) => ({
    keys: b.keys,
    place: b.where === 'anywhere' ? undefined : b.where.map((v) => VIEW_PLACES[v]).join(', '),
    description: b.description,
    note: b.note,
  }));
}
