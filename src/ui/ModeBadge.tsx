import { Text } from 'ink';
import type { VenueKind } from '../trading/venue.js';
import { modeBadgeText } from './account-text.js';
import type { Theme } from './theme.js';

/** Where orders go: SIM, PAPER, or LIVE in red and bold (`LIVE!` without colour): every order of the run is real. */
export function ModeBadge({ mode, theme }: { mode: VenueKind; theme: Theme }) {
  const text = modeBadgeText(mode, !theme.attributes);
  if (mode !== 'live' || !theme.attributes) return <Text>{text}</Text>;
  return (
    <Text color={theme.bad} bold>
      {text}
    </Text>
  );
}
