/**
 * The user's config file (`AppPaths.configFile`, docs/configuration.md): a JSON object the
 * user writes by hand. The app reads it once at start-up and never writes it; what the app
 * changes while it runs (the watchlist built from the keyboard) lives in the data directory
 * (src/app/watchlist-state.ts).
 *
 * A mistake in it never stops the app: each key is checked on its own, a bad one is reported
 * as a {@link ConfigProblem} (the file, the key, what was given and what is allowed) and
 * takes its default, and the other keys still apply.
 */
import { ORDER_KINDS, type OrderKind } from '../upbit/order-types.js';
import { readFileSync, statSync } from 'node:fs';

import { foregroundColorNames } from 'chalk';

import { errnoOf } from '../runtime/dirs.js';
import { firstErrorOffset, JsonTextError, parseJsonText } from '../runtime/json-text.js';
import { isColorMode, type ColorMode, type Theme } from '../ui/theme.js';
import { DEFAULT_MARKETS, MarketCodeError, notAMarketCode, parseMarketCode } from '../upbit/market-code.js';
import type { MarketCode } from '../upbit/types.js';

/**
 * One thing wrong with the config. `key` is the setting (`orderType`, `theme.rise`,
 * `keys.buy`), or `''` when the file as a whole cannot be used; `message` says what was given,
 * what is allowed and what is used instead.
 */
export interface ConfigProblem {
  file: string;
  key: string;
  message: string;
}

/** The theme roles a config may recolour: the colours of the `Theme` in src/ui/theme.ts. */
export type ThemeRole = Exclude<keyof Theme, 'attributes'>;

export const THEME_ROLES: readonly ThemeRole[] = ['rise', 'fall', 'good', 'warn', 'bad'];

export type OrderTypeSetting = OrderKind;

export const ORDER_TYPE_SETTINGS: readonly OrderTypeSetting[] = ORDER_KINDS;

export interface UserConfig {
  /** The ticker table's markets; undefined when not set (the saved watchlist or the app's default applies). */
  watchlist: readonly MarketCode[] | undefined;
  /** The colour convention; undefined when not set (`--colors` or its default applies). */
  colors: ColorMode | undefined;
  /** Per-role colours over the convention's: a chalk foreground colour name or `#rrggbb`. */
  theme: Partial<Record<ThemeRole, string>>;
  /**
   * Action id → key specs, checked for shape only (a list of strings; a single string becomes a
   * list of one). The UI's binding table checks the action ids and the specs and reports its
   * own {@link ConfigProblem}s.
   */
  keys: Readonly<Record<string, readonly string[]>>;
  /** The order form's type when it opens. @default 'limit' */
  orderType: OrderTypeSetting;
  /**
   * Quick sizes, as percents of what is available: 1 to 4 of them (they go on 4 keys), each
   * greater than 0 and at most 100, ascending, no duplicates. @default [25, 50, 75, 100]
   */
  quickSizes: readonly number[];
}

/** What {@link loadConfig} read: the settings to use, what was wrong, and whether the file was there. */
export interface LoadedConfig {
  config: UserConfig;
  problems: ConfigProblem[];
  file: string;
  /** False when there is no file (which is not a problem: every setting has its default). */
  found: boolean;
}

const DEFAULT_QUICK_SIZES: readonly number[] = Object.freeze([25, 50, 75, 100]);

export const DEFAULT_CONFIG: UserConfig = Object.freeze({
  watchlist: undefined,
  colors: undefined,
  theme: Object.freeze({}),
  keys: Object.freeze({}),
  orderType: 'limit',
  quickSizes: DEFAULT_QUICK_SIZES,
});

/** `<file>: <key>: <message>`, or `<file>: <message>` for the file as a whole. */
export function describeConfigProblem(p: ConfigProblem): string {
  return p.key === '' ? `${p.file}: ${p.message}` : `${p.file}: ${p.key}: ${p.message}`;
}

/**
 * Read and check the config file. Synchronous: one small file, read once at start-up before
 * anything else runs. Never throws and never writes the file.
 */
export function loadConfig(file: string): LoadedConfig {
  let text: string;
  try {
    // stat first: a named pipe at the path would block a read for ever.
    const stats = statSync(file);
    if (stats.isDirectory()) return unusable(file, 'it is a directory, not a file. Every setting uses its default: move the directory away and put the settings in a file of that name.');
    if (!stats.isFile()) return unusable(file, 'it is not a regular file. Every setting uses its default: replace it with a JSON file.');
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return parseConfig(null, file);
    return unusable(file, `it cannot be read (${readFailure(error)}). Every setting uses its default: make the file readable by you (chmod u+r), or move it away.`);
  }
  return parseConfig(text, file);
}

/** {@link loadConfig} on text already read; `null` means there is no file. */
export function parseConfig(text: string | null, file: string): LoadedConfig {
  if (text === null) return { config: DEFAULT_CONFIG, problems: [], file, found: false };
  // Editors on Windows may save a byte-order mark, which JSON.parse refuses.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') return unusable(file, 'the file is empty. Every setting uses its default: write a JSON object such as {"orderType": "limit"}, or remove the file.');
  let value: unknown;
  try {
    value = parseJsonText(body);
  } catch (error) {
    const where = error instanceof JsonTextError ? error.message : 'it is not JSON';
    return unusable(file, `${where}${jsonHint(body)}. Every setting uses its default until it is fixed.`);
  }
  if (!isRecord(value)) return unusable(file, `it is ${shown(value)}, not a JSON object of settings such as {"orderType": "limit"}. Every setting uses its default.`);

  const problems: ConfigProblem[] = [];
  const config: Mutable<UserConfig> = { ...DEFAULT_CONFIG };
  for (const [key, given] of Object.entries(value)) {
    if (key === '$schema') continue;
    if (!isConfigKey(key)) {
      problems.push({ file, key, message: `unknown key${nearKey(key)}; the keys are ${CONFIG_KEYS.map((k) => JSON.stringify(k)).join(', ')}. It is ignored.` });
      continue;
    }
    setField(config, key, given, (message, at = key) => problems.push({ file, key: at, message }));
  }
  return { config, problems, file, found: true };
}

/**
 * The defaults as config-file text, for the README and docs/configuration.md. `watchlist` and
 * `colors` are left out: their default is "not set" (see {@link UserConfig}).
 */
export function configTemplate(): string {
  const lines = Object.entries(DEFAULT_CONFIG)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v).replaceAll(',', ', ')}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Reports a problem with the field, or with `key` inside it (`theme.rise`). */
type Say = (message: string, key?: string) => void;

/** Each key's check: the value to use (the default when `given` is bad, after saying why). */
const FIELDS: { readonly [K in keyof UserConfig]: (given: unknown, say: Say) => UserConfig[K] } = {
  watchlist: checkWatchlist,
  colors(given, say) {
    if (typeof given === 'string' && isColorMode(given)) return given;
    say(`${shown(given)} is not a colour convention; use one of "korean" (rise red, fall blue), "global" (rise green, fall red), "none" (no colour). The colors setting is ignored.`);
    return undefined;
  },
  theme: checkTheme,
  keys: checkKeys,
  orderType(given, say) {
    if (typeof given === 'string' && isOneOf(ORDER_TYPE_SETTINGS, given)) return given;
    say(`${shown(given)} is not an order type; use one of ${ORDER_TYPE_SETTINGS.map((t) => JSON.stringify(t)).join(', ')}. Using ${JSON.stringify(DEFAULT_CONFIG.orderType)}.`);
    return DEFAULT_CONFIG.orderType;
  },
  quickSizes: checkQuickSizes,
};

const CONFIG_KEYS = Object.keys(FIELDS) as ReadonlyArray<keyof UserConfig>;

function isConfigKey(key: string): key is keyof UserConfig {
  return Object.hasOwn(FIELDS, key);
}

function setField<K extends keyof UserConfig>(config: Mutable<UserConfig>, key: K, given: unknown, say: Say): void {
  config[key] = FIELDS[key](given, say);
}

const WATCHLIST_IGNORED = `The watchlist setting is ignored: the saved watchlist, or the default (${DEFAULT_MARKETS.join(', ')}), is shown.`;

/** Market codes as the CLI takes them (trimmed, any case); a bad one makes the whole list unused, a repeated one is dropped. */
function checkWatchlist(given: unknown, say: Say): readonly MarketCode[] | undefined {
  if (!Array.isArray(given)) {
    say(`${shown(given)} is not a list; give market codes such as ["KRW-BTC", "KRW-ETH"]. ${WATCHLIST_IGNORED}`);
    return undefined;
  }
  if (given.length === 0) {
    say(`the list is empty, which would leave the ticker table empty; give market codes such as ["KRW-BTC", "KRW-ETH"], or remove the key. ${WATCHLIST_IGNORED}`);
    return undefined;
  }
  const markets: MarketCode[] = [];
  const invalid: unknown[] = [];
  const repeated: string[] = [];
  const items: unknown[] = given;
  for (const item of items) {
    const code = typeof item === 'string' ? marketCodeOrNull(item) : null;
    if (code === null) invalid.push(item);
    else if (markets.includes(code)) repeated.push(typeof item === 'string' && item !== code ? `${code} (as ${JSON.stringify(item)})` : code);
    else markets.push(code);
  }
  const [first, ...more] = invalid;
  if (invalid.length > 0) {
    const head = typeof first === 'string' ? notAMarketCode(first.trim()) : `${shown(first)} is not a market code; codes are strings such as "KRW-BTC".`;
    const tail = more.length > 0 ? ` Nor ${more.length === 1 ? 'is' : 'are'} ${more.map(shown).join(', ')}.` : '';
    say(`${head}${tail} ${WATCHLIST_IGNORED}`);
    return undefined;
  }
  if (repeated.length > 0) say(`${repeated.join(', ')} ${repeated.length === 1 ? 'is' : 'are'} listed more than once; only the first is kept.`);
  return markets;
}

function marketCodeOrNull(input: string): MarketCode | null {
  try {
    return parseMarketCode(input);
  } catch (error) {
    if (error instanceof MarketCodeError) return null;
    throw error;
  }
}

const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;

function checkTheme(given: unknown, say: Say): Partial<Record<ThemeRole, string>> {
  if (!isRecord(given)) {
    say(`${shown(given)} is not an object; give colours by role, such as {"rise": "red", "fall": "#3b82f6"}. The theme setting is ignored.`);
    return {};
  }
  const theme: Partial<Record<ThemeRole, string>> = {};
  for (const [role, colour] of Object.entries(given)) {
    const key = `theme.${role}`;
    if (!isOneOf(THEME_ROLES, role)) {
      say(`unknown role; the roles are ${THEME_ROLES.map((r) => JSON.stringify(r)).join(', ')}. It is ignored.`, key);
    } else if (typeof colour === 'string' && (HEX_COLOUR.test(colour) || isOneOf(foregroundColorNames, colour))) {
      theme[role] = colour;
    } else {
      say(`${shown(colour)} is not a colour; use "#rrggbb" or one of ${foregroundColorNames.join(', ')}. The convention's colour is used.`, key);
    }
  }
  return theme;
}

function checkKeys(given: unknown, say: Say): Readonly<Record<string, readonly string[]>> {
  if (!isRecord(given)) {
    say(`${shown(given)} is not an object; give keys by action, such as {"buy": "b", "sell": ["s", "ctrl+s"]}. The default keys apply.`);
    return {};
  }
  const keys: Record<string, readonly string[]> = {};
  for (const [action, specs] of Object.entries(given)) {
    if (typeof specs === 'string') keys[action] = [specs];
    else if (isStringList(specs)) keys[action] = [...specs];
    else say(`${shown(specs)} is not a key or a list of keys; give a string such as "b" or a list such as ["b", "ctrl+b"]. The action keeps its default keys.`, `keys.${action}`);
  }
  return keys;
}

function checkQuickSizes(given: unknown, say: Say): readonly number[] {
  const checked = quickSizesOf(given);
  if (Array.isArray(checked)) return checked;
  say(`${checked}; give 1 to 4 percents of what is available, each greater than 0 and at most 100, in ascending order, such as [10, 25, 50, 100]. Using [${DEFAULT_QUICK_SIZES.join(', ')}].`);
  return DEFAULT_QUICK_SIZES;
}

/** The quick sizes in `given`, or what is wrong with them. */
function quickSizesOf(given: unknown): number[] | string {
  if (!Array.isArray(given)) return `${shown(given)} is not a list`;
  if (given.length === 0) return 'the list is empty';
  if (given.length > 4) return `${given.length} sizes are given, more than the 4 keys they go on`;
  const items: unknown[] = given;
  const sizes: number[] = [];
  for (const size of items) {
    if (typeof size !== 'number' || !(size > 0 && size <= 100)) return `${shown(size)} is not a percent greater than 0 and at most 100`;
    const last = sizes.at(-1);
    if (last !== undefined && size <= last) return size === last ? `${size} is given twice` : `${size} comes after ${last}, out of order`;
    sizes.push(size);
  }
  return sizes;
}

function unusable(file: string, message: string): LoadedConfig {
  return { config: DEFAULT_CONFIG, problems: [{ file, key: '', message }], file, found: true };
}

function readFailure(error: unknown): string {
  const code = errnoOf(error);
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return code ?? (error instanceof Error ? error.message : String(error));
}

/** The two mistakes JSON written by hand most often has, named, where parsing stopped on one of them. */
function jsonHint(text: string): string {
  const at = firstErrorOffset(text);
  if (at < 0) return '';
  const here = text.charAt(at);
  if (here === '/' || here === '#') return ' (JSON has no comments)';
  const before = text.slice(0, at).trimEnd();
  if ((here === '}' || here === ']') && before.endsWith(',')) return ' (JSON allows no comma after the last item)';
  return '';
}

/** A key that differs from a known one only in case or punctuation (`order_type`, `quicksizes`). */
function nearKey(key: string): string {
  const fold = (k: string): string => k.toLowerCase().replace(/[^a-z0-9]/g, '');
  const near = CONFIG_KEYS.find((k) => fold(k) === fold(key));
  return near === undefined ? '' : ` (did you mean ${JSON.stringify(near)}?)`;
}

/** A given value for a message: JSON, cut short when long. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

function isOneOf<T extends string>(choices: readonly T[], value: string): value is T {
  return (choices as readonly string[]).includes(value);
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((s) => typeof s === 'string');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
