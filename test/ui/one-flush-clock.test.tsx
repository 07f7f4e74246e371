/**
 * One flush tick, one React commit: the TUI flushes the tickers store and the feed's slices on
 * one loop (src/app/market-tasks.ts). React renders the notifications of one task together, so
 * two panels whose stores both changed in a tick render in one commit; two loops of their own
 * (as the stores had before) make a commit each. Ink renders every commit here
 * (ink-testing-library runs it in debug mode, as the screen painter does), so frames count
 * commits.
 */
import { Text } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import { useSyncExternalStore } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { FlushLoop, flushEach } from '../../src/trading/flush-loop.js';
import { frameWhere, until } from './ink-helpers.js';

afterEach(() => cleanup());

/** A store that publishes its pending value at flush, as the market store and the slices do. */
class TinyStore {
  #value = 0;
  #pending = 0;
  readonly #listeners = new Set<() => void>();
  readonly subscribe = (l: () => void): (() => void) => {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  };
  readonly getSnapshot = (): number => this.#value;
  get listeners(): number {
    return this.#listeners.size;
  }
  set(v: number): void {
    this.#pending = v;
  }
  flush(): boolean {
    if (this.#pending === this.#value) return false;
    this.#value = this.#pending;
    for (const l of this.#listeners) l();
    return true;
  }
}

function Panel({ name, store }: { name: string; store: TinyStore }) {
  const v = useSyncExternalStore(store.subscribe, store.getSnapshot);
  return (
    <Text>
      {name} {v}
    </Text>
  );
}

/** Both panels rendered and subscribed (useSyncExternalStore subscribes in an effect, after the first commit). */
async function twoPanels() {
  const book = new TinyStore();
  const tape = new TinyStore();
  const app = render(
    <>
      <Panel name="book" store={book} />
      <Panel name="tape" store={tape} />
    </>,
  );
  await until(() => book.listeners > 0 && tape.listeners > 0, 'both panels subscribed');
  return { book, tape, app };
}

describe('one flush tick, one commit', () => {
  it('two stores flushed in one tick render in one commit, with both values', async () => {
    const { book, tape, app } = await twoPanels();
    const before = app.frames.length;
    book.set(1);
    tape.set(1);
    flushEach([book, tape]);
    await frameWhere(app.lastFrame, (f) => f === 'book 1\ntape 1', 'both at 1');
    expect(app.frames.slice(before)).toEqual(['book 1\ntape 1']);
  });

  it('flushed in two ticks (a loop each) the same news is two commits, the first with half of it', async () => {
    const { book, tape, app } = await twoPanels();
    const before = app.frames.length;
    book.set(1);
    tape.set(1);
    book.flush();
    await frameWhere(app.lastFrame, (f) => f === 'book 1\ntape 0', 'the book at 1');
    tape.flush();
    await frameWhere(app.lastFrame, (f) => f === 'book 1\ntape 1', 'both at 1');
    expect(app.frames.slice(before)).toEqual(['book 1\ntape 0', 'book 1\ntape 1']);
  });

  it('the shared loop commits once per tick whatever changed', async () => {
    const { book, tape, app } = await twoPanels();
    const controller = new AbortController();
    const loop = new FlushLoop('test stores', 5, () => void flushEach([book, tape]));
    const running = loop.run(controller.signal);
    const before = app.frames.length;
    for (let i = 2; i <= 4; i++) {
      book.set(i);
      tape.set(i);
      await frameWhere(app.lastFrame, (f) => f === `book ${i}\ntape ${i}`, `both at ${i}`);
    }
    controller.abort();
    await running;
    expect(app.frames.slice(before)).toEqual(['book 2\ntape 2', 'book 3\ntape 3', 'book 4\ntape 4']);
  });

  it('a store whose subscriber throws does not hold the next store back; the first error is thrown', () => {
    const a = new TinyStore();
    const b = new TinyStore();
    a.subscribe(() => {
      throw new Error('a panel bug');
    });
    a.set(1);
    b.set(1);
    expect(() => flushEach([a, b])).toThrow('a panel bug');
    expect(b.getSnapshot()).toBe(1);
  });
});
