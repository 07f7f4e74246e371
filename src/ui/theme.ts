import chalk, { type ForegroundColorName } from 'chalk';
import type { ConnectionStatus } from '../upbit/quotation-client.js';
import type { Change } from '../upbit/types.js';
import type { TaskRowState } from './task-source.js';

/**
 * `korean`: rise red, fall blue (Upbit's and Korean markets' convention).
 * `global`: rise green, fall red. `none`: no ANSI styling at all (NO_COLOR, --no-color).
 */
export type ColorMode = 'korean' | 'global' | 'none';

export const COLOR_MODES: readonly ColorMode[] = ['korean', 'global', 'none'];

export function isColorMode(value: string): value is ColorMode {
  return (COLOR_MODES as readonly string[]).includes(value);
}

/** The price-colour conventions `--colors` chooses between (a palette, not "colour on"). */
export type ColorConvention = Exclude<ColorMode, 'none'>;

export interface ColorChoice {
  /** `--colors`: the palette used when colour is on. */
  convention: ColorConvention;
  /** False for `--no-color`. */
  color: boolean;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * The one decision of whether the TUI colours and in which palette, first match wins:
 * 1. `--no-color`: none.
 * 2. `FORCE_COLOR` set and not empty: `0` or `false` means none, any other value colour, even
 *    with `NO_COLOR` or `TERM=dumb` set, as Node reads it
 *    (https://nodejs.org/api/tty.html#writestreamgetcolordepthenv). Empty does not count
 *    (https://force-color.org).
 * 3. `NO_COLOR` set and not empty: none. Empty does not count (https://no-color.org).
 * 4. `TERM=dumb`: none (such a terminal shows escapes as garbage).
 * 5. Otherwise colour, in the `--colors` convention (default korean).
 * `--colors` only picks the palette: it does not turn colour back on over `NO_COLOR`.
 */
export function decideColorMode(choice: ColorChoice): ColorMode {
  const { env } = choice;
  if (!choice.color) return 'none';
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '') return force === '0' || force === 'false' ? 'none' : choice.convention;
  const noColor = env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return 'none';
  if (env['TERM'] === 'dumb') return 'none';
  return choice.convention;
}

/**
 * Sets chalk's level (which Ink's `<Text color>` goes through) from the mode, so chalk's own
 * detection — which reads FORCE_COLOR and sniffs `--color`/`--colors`/`--no-color` in argv by
 * itself — never disagrees with {@link decideColorMode}. The themes use the 16 basic colours
 * only, which level 1 renders exactly as higher levels do.
 */
export function applyColorMode(mode: ColorMode): void {
  chalk.level = mode === 'none' ? 0 : 1;
}

/** Ink `<Text color>` values (chalk names); `undefined` means "leave unstyled". */
export interface Theme {
  rise: string | undefined;
  fall: string | undefined;
  good: string | undefined;
  warn: string | undefined;
  bad: string | undefined;
  /** Whether attributes such as dim may be used; false in `none` (no escapes at all). */
  attributes: boolean;
}

const THEMES: Readonly<Record<ColorMode, Theme>> = {
  // Plain blue (SGR 34) is near-invisible on many dark terminal themes; the bright variant is not.
  korean: { rise: 'red', fall: 'blueBright', good: 'green', warn: 'yellow', bad: 'red', attributes: true },
  global: { rise: 'green', fall: 'red', good: 'green', warn: 'yellow', bad: 'red', attributes: true },
  none: { rise: undefined, fall: undefined, good: undefined, warn: undefined, bad: undefined, attributes: false },
};

/** The colour roles a config file may set (`theme` in docs/configuration.md). */
export type Palette = Partial<Record<Exclude<keyof Theme, 'attributes'>, string>>;

const withPalette = new WeakMap<Palette, Map<ColorMode, Theme>>();

/**
 * The theme of `mode`, with the config file's colours over it (never in `none`: no colour at
 * all). The same object for the same arguments, so memoised components keep it.
 */
export function themeFor(mode: ColorMode, palette?: Palette): Theme {
  if (palette === undefined || mode === 'none' || Object.keys(palette).length === 0) return THEMES[mode];
  let byMode = withPalette.get(palette);
  if (byMode === undefined) withPalette.set(palette, (byMode = new Map<ColorMode, Theme>()));
  let theme = byMode.get(mode);
  if (theme === undefined) byMode.set(mode, (theme = { ...THEMES[mode], ...palette }));
  return theme;
}

/**
 * `text` in `color` (a theme colour, a chalk name), the same escapes Ink's `<Text color>` writes
 * (it colours through the same chalk), for text that is built once and drawn as one string.
 */
export function paint(text: string, color: string): string {
  // A config file's `#rrggbb` (Ink's `<Text color>` takes it too); chalk maps it down to the terminal's level.
  if (color.startsWith('#')) return chalk.hex(color)(text);
  return chalk[color as ForegroundColorName](text);
}

export function changeColor(theme: Theme, change: Change | null): string | undefined {
  if (change === 'RISE') return theme.rise;
  if (change === 'FALL') return theme.fall;
  return undefined;
}

export function connectionColor(theme: Theme, status: ConnectionStatus, silent = false): string | undefined {
  switch (status.state) {
    case 'live':
      return silent ? theme.warn : theme.good;
    case 'connecting':
    case 'reconnecting':
      return theme.warn;
    case 'offline':
      return theme.bad;
    case 'idle':
      return undefined;
  }
}

/** How urgent a piece of status text is. */
export type Tone = 'plain' | 'warn' | 'bad';

export function toneColor(theme: Theme, tone: Tone): string | undefined {
  if (tone === 'warn') return theme.warn;
  if (tone === 'bad') return theme.bad;
  return undefined;
}

export function taskStateColor(theme: Theme, state: TaskRowState): string | undefined {
  switch (state) {
    case 'running':
      return theme.good;
    case 'stopping':
      return theme.warn;
    case 'failed':
      return theme.bad;
    case 'done':
      return undefined;
  }
}
