import { Text } from 'ink';
import { memo } from 'react';
import { truncate } from './format.js';
import { keyLabel, VIEW_PLACES, type Binding, type ViewKind } from './keymap.js';
import type { Theme } from './theme.js';
import { textWidth } from './text-width.js';

export interface HelpEntry {
  keys: string;
  text: string;
}

/** The help's lines: every key live in `view` (the router's list), then the view's own keys. */
export function helpEntries(active: readonly Binding[], extra: readonly HelpEntry[] = []): HelpEntry[] {
  const fromTable = active.map((b) => ({ keys: b.specs.map(keyLabel).join(', '), text: b.note === undefined ? b.description : `${b.description}: ${b.note}` }));
  return [...extra, ...fromTable];
}

export interface HelpOverlayProps {
  view: ViewKind;
  entries: readonly HelpEntry[];
  columns: number;
  rows: number;
  theme: Theme;
}

/** `?`: exactly the keys that work where the user is (Esc or ? closes it). */
export const HelpOverlay = memo(function HelpOverlay({ view, entries, columns, rows, theme }: HelpOverlayProps) {
  const keyWidth = Math.min(16, Math.max(4, ...entries.map((e) => textWidth(e.keys)))) + 2;
  const fit = Math.max(0, rows - 2);
  const shown = entries.slice(0, fit);
  return (
    <>
      <Text bold={theme.attributes} wrap="truncate-end">
        {truncate(`Keys on ${VIEW_PLACES[view]} (Esc or ? closes)`, columns)}
      </Text>
      {shown.map((e) => (
        <Text key={e.keys + e.text} wrap="truncate-end">
          {truncate(`${e.keys.padEnd(keyWidth)}${e.text}`, columns)}
        </Text>
      ))}
      {shown.length < entries.length && <Text wrap="truncate-end">{truncate(`+${entries.length - shown.length} more: make the terminal taller to see them`, columns)}</Text>}
    </>
  );
});
