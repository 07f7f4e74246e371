/**
 * The bench's screen, bundled by bench/frame-cost.ts twice (with and without the fast text
 * path) and rendered through real Ink 6.8 to a fake stdout: 35 rows of 120 columns like the
 * ticker table (one `<Text>` per row, a coloured run nested in it), half of them with a
 * Korean name, prices with commas and a 30-block sparkline that changes on every row, every
 * frame.
 */
import { Writable } from 'node:stream';
import { Box, Text, render } from 'ink';

export interface BenchRow {
  code: string;
  name: string;
  price: string;
  change: string;
  up: boolean;
  volume: string;
  spark: string;
  age: string;
}

function Table({ rows }: { rows: readonly BenchRow[] }) {
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end" bold>
        {'MARKET      NAME          PRICE           CHANGE      VOLUME      TREND                            AGE'}
      </Text>
      {rows.map((r) => (
        <Text key={r.code} wrap="truncate-end">
          {`${r.code}  ${r.name}  ${r.price}  `}
          <Text color={r.up ? 'red' : 'blue'}>{r.change}</Text>
          {`  ${r.volume}  `}
          <Text color={r.up ? 'red' : 'blue'}>{r.spark}</Text>
          {`  ${r.age}`}
        </Text>
      ))}
      <Text wrap="truncate-end">{'+165 more'}</Text>
      {/* A status line: differently styled runs side by side, bold and dim over colour. */}
      <Text wrap="truncate-end">
        <Text color="green" bold>
          {rows[0]?.name ?? ''}
        </Text>
        <Text color="yellow">{rows[1]?.change ?? ''}</Text>
        <Text dimColor>
          <Text color="cyan">{rows[2]?.age ?? ''}</Text>
        </Text>
        <Text inverse>{' LIVE '}</Text>
      </Text>
    </Box>
  );
}

class FakeStdout extends Writable {
  readonly columns: number;
  readonly rows: number;
  last = '';
  frames = 0;
  constructor(columns: number, rows: number) {
    super();
    this.columns = columns;
    this.rows = rows;
  }
  override _write(chunk: Buffer | string, _enc: string, done: () => void): void {
    this.last = String(chunk);
    this.frames++;
    done();
  }
}

export interface Screen {
  /** Render one frame of these rows; returns the frame Ink wrote. */
  frame(rows: readonly BenchRow[]): string;
  unmount(): void;
}

export function mount(columns: number, rows: number): Screen {
  const out = new FakeStdout(columns, rows);
  // Ink's debug mode writes every frame, unthrottled, as the TUI's screen painter has it.
  const ink = render(<Table rows={[]} />, { stdout: out as unknown as NodeJS.WriteStream, debug: true, patchConsole: false, exitOnCtrlC: false });
  return {
    frame(next) {
      const before = out.frames;
      ink.rerender(<Table rows={next} />);
      if (out.frames === before) throw new Error('frame-cost: Ink wrote no frame for a rerender');
      return out.last;
    },
    unmount: () => ink.unmount(),
  };
}
