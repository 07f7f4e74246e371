import { Text } from 'ink';
import type { PaneLine } from './pane-lines.js';

/** A pane's pre-built lines: one `<Text>` per line, a nested one per coloured run. */
export function PaneLines({ lines }: { lines: readonly PaneLine[] }) {
  return (
    <>
      {lines.map((line) => (
        <Text key={line.key} wrap="truncate-end" inverse={line.inverse} bold={line.bold}>
          {line.runs.map((run, i) =>
            run.color === undefined ? (
              run.text
            ) : (
              <Text key={i} color={run.color}>
                {run.text}
              </Text>
            ),
          )}
        </Text>
      ))}
    </>
  );
}
