import { describe, expect, it } from 'vitest';
import { activeBindings, BINDINGS, DEFAULT_KEYS, keyHint, parseKeySpec, remapKeys, resolveKey, type KeyContext, type KeyPress } from '../../src/ui/keymap.js';

const ALL = { trading: true, tasks: true, market: true, log: true } as const;
const ctx = (over: Partial<KeyContext> = {}): KeyContext => ({ view: 'watchlist', inInput: false, rawMode: true, has: ALL, ...over });
const press = (input: string, key: KeyPress = {}, c: KeyContext = ctx(), table = DEFAULT_KEYS) => resolveKey(activeBindings(table, c), input, key);

describe('key specs', () => {
  it('parses characters, named keys and modifiers, and refuses what a terminal cannot send', () => {
    expect(parseKeySpec('q')).toMatchObject({ char: 'q', ctrl: false, alt: false, text: 'q' });
    expect(parseKeySpec('C')).toMatchObject({ char: 'C', text: 'C' });
    expect(parseKeySpec('Ctrl+O')).toMatchObject({ char: 'o', ctrl: true, text: 'ctrl+o' });
    expect(parseKeySpec('alt+1')).toMatchObject({ char: '1', alt: true, text: 'alt+1' });
    expect(parseKeySpec('Return')).toMatchObject({ named: 'enter', text: 'enter' });
    expect(parseKeySpec('shift+tab')).toMatchObject({ named: 'tab', shift: true });
    expect(parseKeySpec('space')).toMatchObject({ char: ' ', text: 'space' });
    expect(parseKeySpec('+')).toMatchObject({ char: '+' });
    for (const bad of ['', 'qq', 'ctrl+1', 'shift+c', 'hyper+x', '\u0007', 'f13']) expect(parseKeySpec(bad), bad).toBeNull();
  });
});

describe('the default table', () => {
  it('has every key the issue names, in the views it names', () => {
    expect(press('/')).toBe('search');
    expect(press('', { downArrow: true })).toBe('down');
    expect(press('j')).toBe('down');
    expect(press('k')).toBe('up');
    expect(press('', { return: true })).toBe('focus');
    expect(press('d')).toBe('remove');
    expect(press('b')).toBe('buy');
    expect(press('s', {}, ctx({ view: 'market' }))).toBe('sell');
    expect(press('o', {}, ctx({ view: 'market' }))).toBe('orders');
    expect(press('c', {}, ctx({ view: 'orders' }))).toBe('cancel');
    expect(press('C', { shift: true }, ctx({ view: 'orders' }))).toBe('cancel-all');
    expect(press('p')).toBe('portfolio');
    expect(press('l')).toBe('log');
    expect(press('t')).toBe('tasks');
    expect(press('?')).toBe('help');
    expect(press('', { escape: true, meta: true })).toBe('back');
    expect(press('q')).toBe('quit');
    expect(press('c', { ctrl: true })).toBe('interrupt');
  });

  it('binds a key only where it works: no cancel on the watchlist, no remove in orders', () => {
    expect(press('c')).toBeUndefined();
    expect(press('d', {}, ctx({ view: 'orders' }))).toBeUndefined();
    expect(press('', { return: true }, ctx({ view: 'orders' }))).toBeUndefined();
  });

  it('leaves keys unbound whose part is missing: trading keys without a session, t without tasks, Enter without market data, l without a log', () => {
    const none = ctx({ has: { trading: false, tasks: false, market: false, log: false } });
    for (const k of ['b', 's', 'o', 'p', 't', 'l']) expect(press(k, {}, none), k).toBeUndefined();
    expect(press('', { return: true }, none)).toBeUndefined();
    expect(press('q', {}, none)).toBe('quit');
  });

  it('in an input only keys that cannot be text stay shortcuts: q typed into a price is a q', () => {
    const input = ctx({ view: 'ticket', inInput: true });
    for (const k of ['q', '/', 'b', 'o', '?', 'j']) expect(press(k, {}, input), k).toBeUndefined();
    expect(press('', { escape: true }, input)).toBe('back');
    expect(press('c', { ctrl: true }, input)).toBe('interrupt');
    expect(activeBindings(DEFAULT_KEYS, input).map((b) => b.action)).toEqual(['back', 'interrupt']);
  });

  it('without raw mode only Ctrl+C (as SIGINT) is left', () => {
    expect(activeBindings(DEFAULT_KEYS, ctx({ rawMode: false })).map((b) => b.action)).toEqual(['interrupt']);
  });

  it('the footer groups keys sharing a description, arrows drawn as arrows', () => {
    const hint = keyHint(activeBindings(DEFAULT_KEYS, ctx({ view: 'tasks' })));
    expect(hint).toContain('↑/k/↓/j move');
    expect(hint).toContain('q/ctrl+c quit');
    expect(hint).not.toContain('remove');
  });

  it('the footer keeps the view\'s own keys, help and quit within the width, the rest as they fit', () => {
    const live = activeBindings(DEFAULT_KEYS, ctx());
    expect(keyHint(live)).toBe('↑/k/↓/j move  enter focus  d remove  b buy  s sell  ? help  q/ctrl+c quit  / search  o orders  p portfolio  l log  t tasks  esc back');
    const narrow = keyHint(live, 60);
    expect(narrow.length).toBeLessThanOrEqual(60);
    expect(narrow).toBe('↑/k/↓/j move  enter focus  d remove  ? help  q/ctrl+c quit');
    expect(keyHint(live, 10)).toBe('? help  q/ctrl+c quit');
  });

  it('a view\'s own hint comes first but yields to quit: items leave its end until ctrl+c fits', () => {
    const typing = activeBindings(DEFAULT_KEYS, ctx({ view: 'ticket', inInput: true }));
    const lead = 'tab/↓ next  ←/→ type  +/- tick  alt+1-4 size  enter review';
    expect(keyHint(typing, Infinity, lead)).toBe(`${lead}  ctrl+c quit  esc back`);
    // At 40 columns the whole lead and quit cannot both fit: the lead is cut at an item.
    expect(keyHint(typing, 40, lead)).toBe('tab/↓ next  ←/→ type  ctrl+c quit');
    expect(keyHint(typing, 60, lead)).toBe('tab/↓ next  ←/→ type  +/- tick  alt+1-4 size  ctrl+c quit');
    expect(keyHint(typing, 5, lead)).toBe('ctrl+c quit');
  });

  it('no two actions share a key in a place where both work', () => {
    for (const view of ['watchlist', 'market', 'ticket', 'orders', 'portfolio', 'log', 'tasks'] as const) {
      const texts = activeBindings(DEFAULT_KEYS, ctx({ view })).flatMap((b) => b.specs.map((s) => s.text));
      expect(new Set(texts).size, view).toBe(texts.length);
    }
  });
});

describe('remapping from the config file', () => {
  it('replaces an action\'s keys: the old key is free, the new one works, help shows it', () => {
    const { table, problems } = remapKeys({ buy: ['B', 'ctrl+b'], orders: ['O'] });
    expect(problems).toEqual([]);
    expect(press('b', {}, ctx(), table)).toBeUndefined();
    expect(press('B', { shift: true }, ctx(), table)).toBe('buy');
    expect(press('b', { ctrl: true }, ctx(), table)).toBe('buy');
    expect(keyHint(activeBindings(table, ctx()))).toContain('B/ctrl+b buy');
    expect(table.find((b) => b.action === 'orders')?.keys).toEqual(['O']);
  });

  it('refuses, one action at a time and saying what to write: unknown actions, bad keys, clashes, the fixed Ctrl+C', () => {
    const { table, problems } = remapKeys({ bye: ['x'], buy: ['ctrl+1'], sell: ['q'], interrupt: ['x'], log: [], tasks: ['T'] });
    expect(problems.map((p) => p.key)).toEqual(['keys.bye', 'keys.buy', 'keys.sell', 'keys.interrupt', 'keys.log']);
    expect(problems[0]?.message).toContain('"bye" is not an action; the actions are "search"');
    expect(problems[1]?.message).toMatch(/"ctrl\+1" is not a key: use one character .* Keeping b\./);
    expect(problems[2]?.message).toContain('"q" already does "quit" there');
    expect(problems[3]?.message).toContain('cannot be remapped');
    expect(press('b', {}, ctx(), table)).toBe('buy');
    expect(press('s', {}, ctx(), table)).toBe('sell');
    expect(press('T', { shift: true }, ctx(), table)).toBe('tasks');
  });

  it('lets a key move between actions that never share a place', () => {
    // c cancels in orders; on the watchlist it is free, so it may buy there.
    const { problems } = remapKeys({ buy: ['c'] });
    expect(problems).toEqual([]);
  });

  it('every default key parses', () => {
    expect(DEFAULT_KEYS.map((b) => b.specs.length)).toEqual(BINDINGS.map((b) => b.keys.length));
  });
});
