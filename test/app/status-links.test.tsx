/**
 * The status line's trading links (issue 10): the private stream's state and the order
 * rate-limit budget, through the path the TUI wires (`venueLinks` of app/tui-trading.ts over
 * the session's venue) into the real App. Real parts: the simulator on 127.0.0.1 port 0, its
 * private WebSocket, a RestVenue with its real RateLimiter, placements through the session.
 * The limiter's clock is injected where the one-second window is the point; the store's clock
 * too, so that a refresh of the bar is a `flush()` after moving it.
 */
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';

import { venueLinks } from '../../src/app/tui-trading.js';
import { Money } from '../../src/trading/decimal.js';
import { MarketStore } from '../../src/trading/market-store.js';
import { App } from '../../src/ui/App.js';
import { tradingSlot } from '../../src/ui/trading-source.js';
import { RateLimiter } from '../../src/upbit/rest/index.js';
import { makeTicker } from '../trading/ticker-fixture.js';
import { MARKET, PRICE, simRig, stopAll, type SessionRig } from '../trading/session/session-harness.js';
import { frameLines, until } from '../ui/ink-helpers.js';

afterEach(async () => {
  cleanup();
  await stopAll();
});

/** The App over the rig's session, as the TUI shows it (wide enough for the whole status line). */
function showConsole(r: SessionRig, store: MarketStore) {
  const slot = tradingSlot();
  slot.set({ mode: r.session.mode, account: r.session.account, orders: r.session.orders, session: r.session, ...venueLinks(r.venue) });
  const app = render(<App store={store} trading={slot} onQuit={() => undefined} colors="none" />);
  Object.defineProperty(app.stdout, 'columns', { value: 200, configurable: true });
  app.stdout.emit('resize');
  return app;
}

/** The status line of the last frame (it starts with the mode badge). */
function statusLine(app: ReturnType<typeof render>): string {
  return frameLines(app.lastFrame() ?? '').find((l) => l.startsWith('SIM · ')) ?? '';
}

function lineWhere(app: ReturnType<typeof render>, test: (line: string) => boolean, what: string, timeoutMs = 5_000): Promise<string> {
  return until(
    () => {
      const line = statusLine(app);
      return test(line) ? line : undefined;
    },
    `${what}; the status line: ${JSON.stringify(statusLine(app))}`,
    timeoutMs,
  );
}

describe('the private stream on the status line', () => {
  it('live after the account; reconnecting up front when the simulator drops it; live again; down once the simulator is gone', async () => {
    // A fixed 600 ms backoff: the reconnecting state lasts long enough to be drawn.
    const r = await simRig({ privateTuning: { backoff: { baseMs: 600, capMs: 600 }, random: () => 1 } });
    const app = showConsole(r, new MarketStore({ markets: [MARKET] }));

    const live = await lineWhere(app, (l) => l.includes(' · private live') && l.includes('KRW'), 'the stream live, the account read');
    expect(live).toMatch(/^SIM · connecting… · KRW 1,000,000 · .* · private live · orders 8\/8\/s · /);

    r.server.dropConnections();
    const dropped = await lineWhere(app, (l) => /private reconnecting in \ds!/.test(l), 'the stream reconnecting');
    // Up front, right after the quotation state; and only there.
    expect(dropped).toMatch(/^SIM · connecting… · private reconnecting in \ds! · KRW 1,000,000 · /);
    expect(dropped).not.toContain('private live');

    await lineWhere(app, (l) => l.includes(' · private live'), 'the stream live again');

    await r.server.close();
    const gone = await lineWhere(app, (l) => /private down, retrying in \ds!!/.test(l), 'the stream down', 10_000);
    expect(gone).toMatch(/^SIM · connecting… · private down, retrying in \ds!! · KRW /);
  }, 20_000);
});

describe('the order budget on the status line', () => {
  it('spent by placements, read when the bar refreshes (not per request), whole again a window later', async () => {
    const clock = { t: Date.now() };
    const r = await simRig({ rateLimiter: new RateLimiter({ now: () => clock.t }) });
    await r.session.synced();
    await r.session.prepare(MARKET);
    const storeClock = { t: 1_000_000 };
    const store = new MarketStore({ markets: [MARKET], now: () => storeClock.t });
    store.applyTicker(makeTicker(MARKET, PRICE));
    store.flush();
    const app = showConsole(r, store);
    await lineWhere(app, (l) => l.includes(' · private live · orders 8/8/s'), 'the whole budget');

    for (let i = 0; i < 3; i += 1) {
      await r.session.place({ market: MARKET, side: 'bid', ordType: 'limit', price: new Money('50000000'), volume: new Money('0.0002') });
    }
    // The orders store published them. The budget shown is whatever the bar read at its last
    // redraw: the account store's publication after a placement (funds locked) redraws it too,
    // so how much of the spend it shows here depends on timing; the refresh below reads it all.
    await lineWhere(app, (l) => l.includes(' · 3 open orders'), 'the three orders open');

    // The bar's refresh (the ticker store publishing a second later) reads it.
    storeClock.t += 1_000;
    store.flush();
    const spent = await lineWhere(app, (l) => l.includes(' · orders 5/8/s'), 'the budget after three orders');
    expect(spent).toMatch(/· last 1s ago · KRW [\d,]+ · .* · 3 open orders · private live · orders 5\/8\/s · /);

    // A window later, all of it again.
    clock.t += 1_000;
    storeClock.t += 1_000;
    store.flush();
    await lineWhere(app, (l) => l.includes(' · orders 8/8/s') && l.includes('last 2s ago'), 'the budget whole again');
  }, 20_000);
});
