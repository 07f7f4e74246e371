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

/**
 * The mode to use: an explicit choice wins, else a non-empty NO_COLOR means `none`
 * (https://no-color.org: command-line flags override NO_COLOR), else `korean`.
 */
export function resolveColorMode(requested: ColorMode | undefined, env: Readonly<Record<string, string | undefined>>): ColorMode {
  if (requested !== undefined) return requested;
  const noColor = env['NO_COLOR'];
  return noColor !== undefined && noColor !== '' ? 'none' : 'korean';
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

export function themeFor(mode: ColorMode): Theme {
  return THEMES[mode];
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
