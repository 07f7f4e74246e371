/**
 * The trading part of the status bar (issue 8, point 6): the mode badge, the account's KRW
 * available and total value at the last ticker prices, and that the account summary renders
 * only when what it shows changes, never for a burst of ticks that moves nothing on it.
 *
 * Frames are read after unmount: under CI=true Ink holds every frame back until then
 * (see render.test.tsx). React commits regardless, so renders are counted while mounted.
 */
import chalk from 'chalk';
import { render, cleanup } from 'ink-testing-library';
import { Profiler, createElement, type ComponentProps } from 'react';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { Money } from '../../src/trading/decimal.js';
import { MarketStore } from '../../src/trading/market-store.js';
import { AccountStore, OrdersStore } from '../../src/trading/session/index.js';
import type { VenueKind } from '../../src/trading/venue.js';
import { accountSummaryText, modeBadgeText } from '../../src/ui/account-text.js';
import { App } from '../../src/ui/App.js';
import type * as TradingStatusModule from '../../src/ui/TradingStatus.js';
import { formatKrw } from '../../src/ui/format.js';
import { tradingSlot, type TradingSource } from '../../src/ui/trading-source.js';
import type { ColorMode } from '../../src/ui/theme.js';
import type { Balance } from '../../src/upbit/rest/types.js';
import { makeTicker } from '../trading/ticker-fixture.js';
import { stripAnsi, until } from './ink-helpers.js';

/** Every render of the trading part of the status line (the badge and the account summary), however caused. */
const counted = vi.hoisted(() => ({ renders: 0 }));
vi.mock('../../src/ui/TradingStatus.js', async (importOriginal) => {
  const real = await importOriginal<typeof TradingStatusModule>();
  // A Profiler's onRender runs when its subtree renders: when the status bar renders it again
  // (its memo failed) and when the summary's own subscription does.
  const onRender = (): void => void (counted.renders += 1);
  const CountedBadge = (props: ComponentProps<typeof real.TradingBadge>) => createElement(Profiler, { id: 'badge', onRender }, createElement(real.TradingBadge, props));
  const CountedAccount = (props: ComponentProps<typeof real.TradingAccount>) => createElement(Profiler, { id: 'account', onRender }, createElement(real.TradingAccount, props));
  return { ...real, TradingBadge: CountedBadge, TradingAccount: CountedAccount };
});

const RED = '\u001B[31m';
const BOLD = '\u001B[1m';

let savedLevel: typeof chalk.level;
beforeEach(() => {
  savedLevel = chalk.level;
  chalk.level = 1;
  counted.renders = 0;
});
afterEach(() => {
  chalk.level = savedLevel;
  cleanup();
});

function balance(currency: string, amount: string, locked = '0'): Balance {
  return { currency, balance: new Money(amount), locked: new Money(locked), avgBuyPrice: new Money(0), avgBuyPriceModified: false, unitCurrency: 'KRW' };
}

function parts(mode: VenueKind, balances: Balance[] | null, markets = ['KRW-BTC', 'KRW-ETH']) {
  const store = new MarketStore({ markets });
  store.applyTicker(makeTicker('KRW-BTC', 130_000_000));
  store.applyTicker(makeTicker('KRW-ETH', 4_800_000));
  store.flush();
  const account = new AccountStore();
  const orders = new OrdersStore();
  if (balances !== null) {
    account.applySync(balances);
    orders.applySync([]);
  }
  const slot = tradingSlot();
  slot.set({ mode, account, orders });
  return { store, account, orders, slot };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await nextTurn();
}

/** The status line of the last frame, after unmount. */
async function statusLine(store: MarketStore, trading: TradingSource, colors: ColorMode, ready: () => boolean): Promise<string> {
  const app = render(<App store={store} trading={trading} onQuit={() => {}} colors={colors} />);
  await until(ready, 'the stores published');
  await settle();
  app.unmount();
  return lastStatusLine(app.frames);
}

/** The newest status line written (Ink under CI=true writes the final frame at unmount, then a newline). */
function lastStatusLine(frames: readonly string[]): string {
  const line = frames
    .join('\n')
    .split('\n')
    .findLast((l) => / · (KRW|account:)/.test(stripAnsi(l)));
  if (line === undefined) throw new Error(`no status line in:\n${frames.join('\n')}`);
  return line;
}

describe('the mode badge', () => {
  it.each<[VenueKind, string]>([
    ['sim', 'SIM'],
    ['paper', 'PAPER'],
    ['live', 'LIVE'],
  ])('%s reads %s at the head of the status line', async (mode, badge) => {
    const { store, account, slot } = parts(mode, [balance('KRW', '1000000')]);
    const line = await statusLine(store, slot, 'korean', () => account.getSnapshot().loaded);
    expect(stripAnsi(line)).toMatch(starting(`${badge} · connecting… · last 0s ago · KRW 1,000,000 · `));
  });

  it('LIVE is red and bold with colour; SIM and PAPER are not', async () => {
    const live = parts('live', [balance('KRW', '1000000')]);
    const line = await statusLine(live.store, live.slot, 'korean', () => live.account.getSnapshot().loaded);
    expect(line).toMatch(new RegExp(`(${escape(RED)}${escape(BOLD)}|${escape(BOLD)}${escape(RED)})LIVE`));
    cleanup();
    const sim = parts('sim', [balance('KRW', '1000000')]);
    const simLine = await statusLine(sim.store, sim.slot, 'korean', () => sim.account.getSnapshot().loaded);
    expect(simLine).not.toMatch(new RegExp(`${escape(RED)}[^ ]*SIM|SIM${escape(BOLD)}`));
    expect(simLine.indexOf('SIM')).toBe(0);
  });

  it('without colour (--no-color, NO_COLOR) it is the text alone, LIVE marked LIVE!', async () => {
    const { store, account, slot } = parts('live', [balance('KRW', '1000000')]);
    const line = await statusLine(store, slot, 'none', () => account.getSnapshot().loaded);
    expect(line).toBe(stripAnsi(line));
    expect(line).toMatch(starting('LIVE! · connecting… · last 0s ago · KRW 1,000,000 · '));
    expect(modeBadgeText('sim', true)).toBe('SIM');
    expect(modeBadgeText('paper', true)).toBe('PAPER');
  });
});

describe('the mode badge while shutting down', () => {
  it('LIVE stays first, ahead of the shutdown notice, so a narrow terminal never cuts it', async () => {
    const { store, account, slot } = parts('live', [balance('KRW', '1000000')]);
    store.setShuttingDown();
    const line = await statusLine(store, slot, 'none', () => account.getSnapshot().loaded);
    expect(line).toMatch(starting('LIVE! · shutting down… (Ctrl+C again to force) · '));
  });
});

describe('the account summary', () => {
  it('says KRW available (whole won, rounded down) and the total at the last prices', async () => {
    // 9,989,995.5 KRW available + 10,000 locked + 0.01 BTC at 130,000,000 = 11,299,995.5
    const { store, account, slot } = parts('sim', [balance('KRW', '9989995.5', '10000'), balance('BTC', '0.01')]);
    const line = stripAnsi(await statusLine(store, slot, 'korean', () => account.getSnapshot().loaded));
    expect(line).toMatch(containing('SIM · connecting… · last 0s ago · KRW 9,989,995 · total ≈ 11,299,995 KRW · 0 open orders · '));
  });

  it('counts holdings it has no price for instead of guessing them', async () => {
    // XRP: no ticker in the watchlist; its average buy price is no price.
    const { store, account, slot } = parts('paper', [balance('KRW', '5000000'), balance('BTC', '0.1'), balance('XRP', '100')]);
    const line = stripAnsi(await statusLine(store, slot, 'korean', () => account.getSnapshot().loaded));
    expect(line).toMatch(containing('PAPER · connecting… · last 0s ago · KRW 5,000,000 · total ≈ 18,000,000 KRW (+1 unpriced) · '));
  });

  it('says account: loading… while the session opens, and until the balances were read', async () => {
    const store = new MarketStore({ markets: ['KRW-BTC'] });
    store.applyTicker(makeTicker('KRW-BTC', 130_000_000));
    store.flush();
    const opening = tradingSlot();
    const line = stripAnsi(await statusLine(store, opening, 'korean', () => true));
    expect(line).toMatch(starting('connecting… · last 0s ago · account: loading… · '));
    cleanup();
    const unread = parts('live', null);
    const unreadLine = stripAnsi(await statusLine(unread.store, unread.slot, 'korean', () => true));
    expect(unreadLine).toMatch(starting('LIVE · connecting… · last 0s ago · account: loading… · '));
    expect(accountSummaryText(null, null, () => undefined)).toBe('account: loading…');
  });

  it('formats KRW with the status bar\'s own helper: grouped, whole won, never rounded up', () => {
    expect(formatKrw(new Money('9989995.99'))).toBe('9,989,995');
    expect(formatKrw(new Money('0'))).toBe('0');
    expect(formatKrw(new Money('123456789012'))).toBe('123,456,789,012');
  });

  it('a burst of ticks that changes nothing it shows does not render it; a change of the account or of a held price does', async () => {
    const { store, account, slot } = parts('sim', [balance('KRW', '1000000'), balance('BTC', '0.01')]);
    let commits = 0;
    const app = render(
      <Profiler id="app" onRender={() => void (commits += 1)}>
        <App store={store} trading={slot} onQuit={() => {}} colors="korean" />
      </Profiler>,
    );
    await until(() => account.getSnapshot().loaded, 'the account published');
    await settle();
    const before = counted.renders;
    const commitsBefore = commits;
    expect(before).toBeGreaterThan(0);

    // 2,000 ticks in 20 flushes: ETH (not held) moves, BTC trades again at the same price.
    for (let flush = 0; flush < 20; flush += 1) {
      for (let i = 0; i < 100; i += 1) {
        store.applyTicker(makeTicker('KRW-ETH', 4_800_000 + (flush * 100 + i) * 1000));
        store.applyTicker(makeTicker('KRW-BTC', 130_000_000));
      }
      store.flush();
      await settle();
    }
    // The screen did redraw for them (the table and the bar), the summary did not.
    expect(commits - commitsBefore).toBeGreaterThanOrEqual(20);
    expect(counted.renders).toBe(before);

    // A held market's price moves the total: drawn again.
    store.applyTicker(makeTicker('KRW-BTC', 131_000_000));
    store.flush();
    await until(() => counted.renders > before, 'the summary drawn for the new BTC price');
    const afterPrice = counted.renders;

    // The account publishes (≤ 12/s): drawn again.
    account.applySync([balance('KRW', '900000'), balance('BTC', '0.01')]);
    await until(() => counted.renders > afterPrice, 'the summary drawn for the new balance');
    app.unmount();
    expect(stripAnsi(lastStatusLine(app.frames))).toContain(' · KRW 900,000 · total ≈ 2,210,000 KRW');
  });
});

/** The status line starting with `text`, whatever the age of the newest tick says (`last 0s ago`, `last 0.1s ago`). */
function starting(text: string): RegExp {
  return new RegExp(`^${escape(text).replace('last 0s ago', 'last [\\d.]+s ago')}`);
}

function containing(text: string): RegExp {
  return new RegExp(escape(text).replace('last 0s ago', 'last [\\d.]+s ago'));
}

function escape(text: string): string {
  return text.replace(/[[\]\\^$.|?*+()]/g, '\\$&');
}
