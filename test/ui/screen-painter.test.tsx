/**
 * The painter and the whole UI in-process, with @xterm/headless as the terminal: what the
 * screen shows after resizes must be what a fresh render at that size shows.
 */
import { EventEmitter } from 'node:events';
import xterm from '@xterm/headless';
import { afterEach, describe, expect, it } from 'vitest';
import { MarketStore } from '../../src/trading/market-store.js';
import { renderApp, type RenderedApp } from '../../src/ui/render.js';
import { ScreenPainter } from '../../src/ui/screen-painter.js';
import { makeTicker } from '../trading/ticker-fixture.js';
import { waitFor } from '../helpers/wait-for.js';
import { until } from './ink-helpers.js';

/** A terminal: a TTY stdout whose bytes go to an xterm screen, resized as a window would be. */
class Terminal extends EventEmitter {
  readonly isTTY = true;
  readonly writable = true;
  readonly destroyed = false;
  readonly writableEnded = false;
  readonly writableLength = 0;
  readonly emulator: xterm.Terminal;
  bytes = 0;
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
    this.emulator = new xterm.Terminal({ cols: columns, rows, allowProposedApi: true });
  }
  write = (chunk: string, cb?: () => void): boolean => {
    this.bytes += Buffer.byteLength(chunk);
    this.emulator.write(chunk, cb);
    return true;
  };
  /** The screen first (what the emulator does with the old frame is its business), then the event. */
  resize(columns: number, rows: number): void {
    this.emulator.resize(columns, rows);
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
  screen(): Promise<string[]> {
    return new Promise((resolve) => {
      this.emulator.write('', () => {
        const buf = this.emulator.buffer.active;
        const lines: string[] = [];
        for (let i = 0; i < this.rows; i++) lines.push(buf.getLine(buf.viewportY + i)?.translateToString(true) ?? '');
        resolve(lines);
      });
    });
  }
}

class Stdin extends EventEmitter {
  readonly isTTY = true;
  read = (): null => null;
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

const signals = new EventEmitter();

describe('ScreenPainter', () => {
  it('rewrites only the lines that changed, at their rows, and erases below a shorter frame', async () => {
    const term = new Terminal(30, 6);
    const painter = new ScreenPainter(term as unknown as NodeJS.WriteStream, { signals });
    painter.write('alpha\nbeta\ngamma\n');
    const before = term.bytes;
    painter.write('alpha\nBETA\n');
    const diff = term.bytes - before;
    expect(await term.screen()).toEqual(['alpha', 'BETA', '', '', '', '']);
    // Two changed rows' worth, not a whole frame: the unchanged first line is not resent.
    expect(diff).toBeLessThan(50);
    painter.close();
  });

  it('never writes below the last row, so the screen never scrolls', async () => {
    const term = new Terminal(20, 3);
    const painter = new ScreenPainter(term as unknown as NodeJS.WriteStream, { signals });
    painter.write('one\ntwo\nthree\nfour\nfive\n');
    expect(await term.screen()).toEqual(['one', 'two', 'three']);
    painter.close();
  });

  it('repaints in full after a resize, and after a SIGWINCH that left the size as it was', async () => {
    const term = new Terminal(40, 6);
    const painter = new ScreenPainter(term as unknown as NodeJS.WriteStream, { signals });
    let resizes = 0;
    painter.on('resize', () => {
      resizes += 1;
    });
    painter.write('a line that is thirty-two columns\nsecond\n');
    // The terminal narrows and cuts the first line; then the next frame changes nothing.
    term.resize(20, 6);
    expect([painter.columns, painter.rows, resizes]).toEqual([20, 6, 1]);
    painter.write('a line that is thir\nsecond\n');
    expect(await term.screen()).toEqual(['a line that is thir', 'second', '', '', '', '']);
    // Something scribbles on the screen; the size stays; SIGWINCH repaints what we drew.
    term.write('\x1b[1;1Hgarbage\x1b[5;1Hmore garbage');
    signals.emit('SIGWINCH');
    expect(await term.screen()).toEqual(['a line that is thir', 'second', '', '', '', '']);
    expect(resizes).toBe(1);
    painter.close();
  });

  it('repaints on demand (SIGCONT: the shell had the terminal) what it last drew', async () => {
    const term = new Terminal(20, 4);
    const painter = new ScreenPainter(term as unknown as NodeJS.WriteStream, { signals });
    painter.write('top\nbottom\n');
    term.write('\x1b[2J\x1b[1;1H$ fg');
    painter.repaint();
    expect(await term.screen()).toEqual(['top', 'bottom', '', '']);
    painter.close();
  });

  it('paints nothing once closed, but still lets a write barrier through', async () => {
    const term = new Terminal(20, 4);
    const painter = new ScreenPainter(term as unknown as NodeJS.WriteStream, { signals });
    painter.write('frame\n');
    painter.close();
    const bytes = term.bytes;
    painter.write('late frame\n');
    signals.emit('SIGWINCH');
    let barrier = false;
    painter.write('', () => {
      barrier = true;
    });
    await until(() => barrier, 'the barrier callback');
    expect(term.bytes).toBe(bytes);
    expect(signals.listenerCount('SIGWINCH')).toBe(0);
  });
});

describe('the UI on a terminal that is resized', () => {
  const apps: RenderedApp[] = [];
  afterEach(() => {
    for (const app of apps.splice(0)) app.unmount();
  });

  function store(): MarketStore {
    const s = new MarketStore({ markets: ['KRW-BTC', 'KRW-ETH', 'KRW-XRP'], now: () => 1_000_000 });
    s.applyTicker(makeTicker('KRW-BTC', 130_512_000));
    s.applyTicker(makeTicker('KRW-ETH', 4_800_000));
    s.applyTicker(makeTicker('KRW-XRP', 3_100));
    s.flush();
    return s;
  }

  async function mount(term: Terminal, s: MarketStore): Promise<string[]> {
    apps.push(renderApp({ store: s, onQuit: () => {}, onFatal: () => {}, colors: 'korean' }, { stdout: term as unknown as NodeJS.WriteStream, stdin: new Stdin() as unknown as NodeJS.ReadStream }));
    return waitFor(async () => {
      const lines = await term.screen();
      return lines.some((l) => l.includes('live') || l.includes('connecting')) ? lines : null;
    }, 'the first frame');
  }

  async function settled(term: Terminal): Promise<string[]> {
    let previous = '';
    return waitFor(async () => {
      const lines = await term.screen();
      const text = lines.join('\n');
      const same = text === previous;
      previous = text;
      return same ? lines : null;
    }, 'a settled screen');
  }

  it('shows after each resize exactly what a fresh render at that size shows', async () => {
    const s = store();
    const term = new Terminal(80, 24);
    await mount(term, s);
    for (const [columns, rows] of [
      [60, 20],
      [80, 24],
      [45, 5],
      [100, 30],
      [30, 4],
      [80, 24],
    ] as const) {
      term.resize(columns, rows);
      const resized = await settled(term);
      const fresh = new Terminal(columns, rows);
      await mount(fresh, s);
      expect({ size: `${columns}x${rows}`, screen: resized }).toEqual({ size: `${columns}x${rows}`, screen: await settled(fresh) });
      expect(resized.every((line) => line.length <= columns)).toBe(true);
    }
  });
});
