import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { MarketStore } from '../../src/trading/market-store.js';
import { renderApp } from '../../src/ui/render.js';
import { makeTicker } from '../trading/ticker-fixture.js';
import { stripAnsi, until } from './ink-helpers.js';
import { FakeTaskSource, taskRow } from './task-fixtures.js';
import type { TaskSource } from '../../src/ui/task-source.js';

class FakeStdout extends EventEmitter {
  readonly columns = 80;
  readonly rows = 24;
  readonly isTTY = false;
  output = '';
  write = (chunk: string, cb?: () => void): boolean => {
    this.output += chunk;
    cb?.();
    return true;
  };
}

class FakeStdin extends EventEmitter {
  private data: string | null = null;
  constructor(readonly isTTY: boolean) {
    super();
  }
  write(data: string): void {
    this.data = data;
    this.emit('readable');
  }
  read = (): string | null => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

function streams(stdinIsTTY = true) {
  const stdout = new FakeStdout();
  const stdin = new FakeStdin(stdinIsTTY);
  return {
    stdout,
    stdin,
    // Ink needs only the parts faked above.
    ink: { stdout: stdout as unknown as NodeJS.WriteStream, stderr: new FakeStdout() as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream },
  };
}

function store(): MarketStore {
  const s = new MarketStore({ markets: ['KRW-BTC'] });
  s.applyTicker(makeTicker('KRW-BTC', 130_512_000));
  s.flush();
  return s;
}

describe('renderApp', () => {
  it('renders, unmounts idempotently, and resolves waitUntilExit even when asked late', async () => {
    const io = streams();
    const app = renderApp({ store: store(), onQuit: () => {}, onFatal: () => {}, colors: 'none' }, io.ink);
    app.unmount();
    app.unmount();
    await expect(app.waitUntilExit()).resolves.toBeUndefined();
    expect(stripAnsi(io.stdout.output)).toContain('130,512,000');
  });

  it('leaves Ctrl+C to the app (exitOnCtrlC: false): every press reaches onQuit', async () => {
    const io = streams();
    const onQuit = vi.fn();
    const app = renderApp({ store: store(), onQuit, onFatal: () => {}, colors: 'none' }, io.ink);
    try {
      await until(() => io.stdin.listenerCount('readable') > 0, 'the input hook');
      io.stdin.write('\u0003');
      io.stdin.write('\u0003');
      await until(() => onQuit.mock.calls.length === 2, 'two Ctrl+C');
    } finally {
      app.unmount();
    }
    await app.waitUntilExit();
  });

  it('runs without raw mode when stdin is not a terminal, and hints only the signal key', async () => {
    const io = streams(false);
    const tasks = new FakeTaskSource([taskRow('market-store')]);
    const app = renderApp({ store: store(), tasks, onQuit: () => {}, onFatal: () => {}, colors: 'none' }, io.ink);
    app.unmount();
    await app.waitUntilExit();
    const out = stripAnsi(io.stdout.output);
    expect(out).toContain('ctrl+c quit');
    expect(out).not.toContain('q/ctrl+c');
    expect(out).not.toContain('t tasks');
  });
});

describe('renderApp when a component throws while rendering', () => {
  it('calls onFatal once with the error (and the component stack), and still unmounts and resolves', async () => {
    const io = streams();
    const bug = new Error('task rows could not be read');
    const rows = new FakeTaskSource([taskRow('market-store')]);
    // A real source the tasks panel reads while rendering, failing once the panel opens.
    const tasks: TaskSource = {
      subscribe: rows.subscribe,
      getSnapshot: () => {
        throw bug;
      },
    };
    const onFatal = vi.fn();
    const app = renderApp({ store: store(), tasks, onQuit: () => {}, onFatal, colors: 'none' }, io.ink);
    try {
      await until(() => io.stdin.listenerCount('readable') > 0, 'the input hook');
      expect(onFatal).not.toHaveBeenCalled();
      io.stdin.write('t');
      await until(() => onFatal.mock.calls.length > 0, 'the fatal callback');
      expect(onFatal).toHaveBeenCalledTimes(1);
      expect(onFatal.mock.calls[0]?.[0]).toBe(bug);
      expect(String(onFatal.mock.calls[0]?.[1])).toContain('Screen');
    } finally {
      app.unmount();
    }
    await expect(app.waitUntilExit()).resolves.toBeUndefined();
    // Read after unmount: under CI=true Ink holds every frame back until then (is-in-ci).
    expect(stripAnsi(io.stdout.output)).toContain('unexpected error and is stopping');
    // Not Ink's error screen, and nothing else reached onFatal.
    expect(io.stdout.output).not.toContain('ERROR');
    expect(onFatal).toHaveBeenCalledTimes(1);
  });
});

describe('renderApp when the very first frame throws', () => {
  it('calls onFatal only after renderApp has returned, so the caller can register its release first', async () => {
    const io = streams();
    const bug = new Error('first frame');
    const broken = store();
    // The table reads the store while rendering: a store that cannot be read fails the first frame.
    Object.defineProperty(broken, 'getSnapshot', {
      value: () => {
        throw bug;
      },
    });
    const order: string[] = [];
    const app = renderApp({ store: broken, onQuit: () => {}, onFatal: (error) => order.push(error === bug ? 'fatal' : 'other'), colors: 'none' }, io.ink);
    order.push('returned');
    await until(() => order.includes('fatal'), 'the fatal callback');
    expect(order).toEqual(['returned', 'fatal']);
    app.unmount();
    await expect(app.waitUntilExit()).resolves.toBeUndefined();
  });
});
