import { Text } from 'ink';
import { memo } from 'react';
import type { MarketInfo } from '../upbit/market-list.js';
import type { MarketCode } from '../upbit/types.js';
import { alertBadge, fitName } from './table-text.js';
import { toneColor, type Theme } from './theme.js';

export interface SearchOverlayProps {
  query: string;
  results: readonly MarketInfo[];
  selected: number;
  /** Markets already on the watchlist (marked; Enter on one keeps it where it is). */
  watched: ReadonlySet<MarketCode>;
  rows: number;
  theme: Theme;
  /** No market list could be read (offline without --sim). */
  unavailable?: boolean;
}

/** The lines of results that fit, scrolled so the selection is on screen. */
export function resultWindow(count: number, selected: number, fit: number): { from: number; to: number } {
  if (fit <= 0) return { from: 0, to: 0 };
  const from = Math.min(Math.max(0, selected - fit + 1), Math.max(0, count - fit));
  return { from, to: Math.min(count, from + fit) };
}

/** `/`: type to filter every KRW market; ↑/↓ choose, Enter adds, Esc closes. */
export const SearchOverlay = memo(function SearchOverlay({ query, results, selected, watched, rows, theme, unavailable = false }: SearchOverlayProps) {
  const fit = Math.max(0, rows - 2);
  const { from, to } = resultWindow(results.length, selected, fit);
  const status = unavailable ? 'the market list could not be read: type a code such as KRW-XRP' : results.length === 0 ? 'no market matches' : `${results.length} market${results.length === 1 ? '' : 's'} · ↑/↓ Enter adds · Esc closes`;
  return (
    <>
      <Text wrap="truncate-end">
        {`/ ${query}`}
        <Text inverse={theme.attributes}> </Text>
        {`  ${status}`}
      </Text>
      {results.slice(from, to).map((m, i) => {
        const at = from + i;
        const mark = watched.has(m.market) ? '✓' : ' ';
        // Upbit's alerts as in the table (`!`, `*`), right after the code.
        const badge = alertBadge(m);
        const lead = `${at === selected && !theme.attributes ? '>' : ' '}${mark} ${m.market.padEnd(11)}`;
        const rest = `${badge === null ? ' ' : ''}${fitName(m.koreanName, 16)}  ${m.englishName}`;
        return (
          <Text key={m.market} inverse={at === selected && theme.attributes} wrap="truncate-end">
            {lead}
            {badge !== null && <Text color={toneColor(theme, badge.tone)}>{badge.text}</Text>}
            {rest}
          </Text>
        );
      })}
    </>
  );
});
