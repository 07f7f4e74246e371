/**
 * The monitor against the simulator: rules fire on the stream's ticks of a market no screen
 * shows, exactly once, through the session's one order path (journal source `monitor`).
 */
import { afterEach, describe, expect, it } from 'vitest';

import { Money } from '../../../src/trading/decimal.js';
import { waitFor } from '../../helpers/wait-for.js';
import { MARKET, PRICE, monitorRig, price, rule, stopMonitorRigs } from '../../fixtures/trading/monitor-rig.js';

afterEach(stopMonitorRigs);

const noAvg = (): null => null;

describe('Monitor', () => {
  it('fires a stop-loss once when the price crosses it and not before, and follows its sell to filled', async () => {
    const r = await monitorRig();
    const [stop] = r.book.add([rule({ kind: 'stop-loss', at: price(PRICE - 1_000_000) })], { avgBuyPrice: noAvg });
    if (stop === undefined) throw new Error('no rule');
    const m = r.startMonitor();
    await waitFor(() => m.store.getSnapshot().watching && r.feed.desired().some((s) => s.type === 'ticker' && s.codes.includes(MARKET)), 'the monitor demanding KRW-BTC');
    await waitFor(() => r.store.connection().state === 'live', 'the quotation link live');
    // Above, then exactly at one tick above the stop: nothing.
    r.trade(PRICE - 500_000);
    r.trade(PRICE - 999_000);
    await waitFor(() => m.store.getSnapshot().rules.find((s) => s.rule.id === stop.id)?.lastPrice === PRICE - 999_000, 'the last tick seen');
    expect(r.monitorIntents()).toBe(0);
    expect(r.book.get(stop.id)?.state).toBe('armed');
    // At the stop: fires.
    r.trade(PRICE - 1_000_000);
    await waitFor(() => r.book.get(stop.id)?.state === 'filled', 'the rule filled', 10_000);
    expect(r.monitorIntents()).toBe(1);
    const intent = r.journal.intents({ limit: 10 }).find((i) => i.source === 'monitor');
    expect(intent?.side).toBe('ask');
    expect(intent?.ordType).toBe('market');
    expect(new Money(intent?.volume ?? '0').eq(r.held)).toBe(true);
    expect(intent?.note).toContain(`rule ${stop.id}: stop-loss 94,000,000 (94,000,000) crossed at 94,000,000`);
    expect(r.events.map((e) => e.kind)).toEqual(['triggered', 'ordered', 'filled']);
    expect(r.journal.rules.events(stop.id).map((e) => e.to)).toEqual(['armed', 'triggered', 'ordered', 'filled']);
  });

  it('a burst of 10,000 crossing ticks yields one order', async () => {
    const r = await monitorRig();
    const [stop] = r.book.add([rule({ kind: 'stop-loss', at: price(PRICE - 1_000_000) })], { avgBuyPrice: noAvg });
    if (stop === undefined) throw new Error('no rule');
    const m = r.startMonitor();
    await waitFor(() => m.store.getSnapshot().watching && r.store.connection().state === 'live', 'the monitor watching');
    for (let i = 0; i < 10_000; i++) r.trade(PRICE - 1_000_000 - (i % 50) * 1000);
    await waitFor(() => r.book.get(stop.id)?.state === 'filled', 'the rule filled', 15_000);
    // Every tick of the burst has been seen by now (the last one's price), and still one order.
    await waitFor(() => m.store.getSnapshot().rules[0]?.lastPrice !== null, 'ticks seen');
    expect(r.monitorIntents()).toBe(1);
    expect(r.journal.intents({ limit: 1000 }).filter((i) => i.source === 'monitor').flatMap((i) => i.attempts)).toHaveLength(1);
  });

  it('OCO: the take-profit fires and its stop-loss sibling is disarmed in the same transaction', async () => {
    const r = await monitorRig();
    const [sl, tp] = r.book.add([rule({ kind: 'stop-loss', at: price(PRICE - 1_000_000) }), rule({ kind: 'take-profit', at: price(PRICE + 1_000_000) })], { avgBuyPrice: noAvg });
    if (sl === undefined || tp === undefined) throw new Error('no rules');
    expect(sl.def.oco).toBe(`group-${sl.id}`);
    expect(tp.def.oco).toBe(`group-${sl.id}`);
    const m = r.startMonitor();
    await waitFor(() => m.store.getSnapshot().watching && r.store.connection().state === 'live', 'the monitor watching');
    r.trade(PRICE + 1_000_000);
    await waitFor(() => r.book.get(tp.id)?.state === 'filled', 'the take-profit filled', 10_000);
    expect(r.book.get(sl.id)?.state).toBe('disarmed');
    expect(r.book.get(sl.id)?.reason).toContain(`rule ${tp.id} of its OCO group`);
    // The sibling's disarm is written right after the trigger, in its transaction (before `ordered`).
    const log = r.journal.rules.eventsAfter(0).map((e) => `${e.ruleId}:${e.to}`);
    expect(log.slice(log.indexOf(`${tp.id}:triggered`), log.indexOf(`${tp.id}:triggered`) + 3)).toEqual([`${tp.id}:triggered`, `${sl.id}:disarmed`, `${tp.id}:ordered`]);
    r.trade(PRICE - 2_000_000);
    await waitFor(() => m.store.getSnapshot().rules.find((s) => s.rule.id === sl.id) !== undefined, 'still listed');
    expect(r.monitorIntents()).toBe(1);
  });

  it('a trailing stop follows the high-water mark, saves it, and fires at the trail under it', async () => {
    const r = await monitorRig();
    const [trail] = r.book.add([rule({ kind: 'trailing', trail: { kind: 'percent', percent: new Money(2) } })], { avgBuyPrice: noAvg });
    if (trail === undefined) throw new Error('no rule');
    const m = r.startMonitor();
    await waitFor(() => m.store.getSnapshot().watching && r.store.connection().state === 'live', 'the monitor watching');
    r.trade(PRICE);
    r.trade(PRICE + 5_000_000); // 100,000,000: the stop is 98,000,000
    r.trade(PRICE + 3_500_000); // 98,500,000: above it
    await waitFor(() => r.book.get(trail.id)?.highWater?.eq(100_000_000), 'the mark saved', 5000);
    await waitFor(() => m.store.getSnapshot().rules[0]?.level?.eq(98_000_000), 'the stop at 2 % under the mark, on the rules view');
    expect(r.monitorIntents()).toBe(0);
    r.trade(PRICE + 3_000_000); // 98,000,000: at the stop
    await waitFor(() => r.book.get(trail.id)?.state === 'filled', 'the trailing stop filled', 10_000);
    expect(r.monitorIntents()).toBe(1);
  });

  it('refuses in words when nothing is left to sell, and sends nothing', async () => {
    const r = await monitorRig();
    // Everything sold by hand first (as in Upbit's app): the rule added afterwards finds no BTC.
    const sold = await r.session.place({ market: MARKET, side: 'ask', ordType: 'market', volume: r.held });
    expect(sold.status).toBe('acked');
    await waitFor(() => r.session.account.getSnapshot().balances.get('BTC')?.balance.isZero() ?? true, 'the BTC sold');
    const [stop] = r.book.add([rule({ kind: 'stop-loss', at: price(PRICE - 1_000_000) })], { avgBuyPrice: noAvg });
    if (stop === undefined) throw new Error('no rule');
    const m = r.startMonitor();
    await waitFor(() => m.store.getSnapshot().watching, 'the monitor watching');
    // Start-up reconciliation disarmed it: the position is gone.
    expect(r.book.get(stop.id)?.state).toBe('disarmed');
    expect(m.store.getSnapshot().changes[0]?.text).toContain('the account holds no BTC any more');
  });
});

describe('Monitor: restarts, stale prices, two monitors', () => {
  it('a trailing stop resumes its saved high-water mark after a restart in the middle of the path', async () => {
    const r = await monitorRig();
    const [trail] = r.book.add([rule({ kind: 'trailing', trail: { kind: 'percent', percent: new Money(2) } })], { avgBuyPrice: noAvg });
    if (trail === undefined) throw new Error('no rule');
    let m = r.startMonitor();
    await waitFor(() => m.store.getSnapshot().watching && r.store.connection().state === 'live', 'the monitor watching');
    r.trade(PRICE + 5_000_000); // the mark: 100,000,000, the stop 98,000,000
    await waitFor(() => r.book.get(trail.id)?.highWater?.eq(100_000_000), 'the mark saved');
    await r.stopMonitor();
    // While no monitor runs the price falls to 98,500,000 (above the stop): nothing to do.
    r.trade(PRICE + 3_500_000);
    m = r.startMonitor();
    await waitFor(() => m.store.getSnapshot().rules[0]?.level?.eq(98_000_000), 'the stop from the saved mark, not from the price now');
    r.trade(PRICE + 3_400_000); // 98,400,000: a fresh mark from here would put the stop at 96,432,000
    await waitFor(() => m.store.getSnapshot().rules[0]?.lastPrice === PRICE + 3_400_000, 'the tick seen');
    expect(r.monitorIntents()).toBe(0);
    r.trade(PRICE + 2_900_000); // 97,900,000: under the saved mark's stop
    await waitFor(() => r.book.get(trail.id)?.state === 'filled', 'the trailing stop filled', 10_000);
    expect(r.monitorIntents()).toBe(1);
  });

  it('does not act on a crossing price from a snapshot: checks it over REST, and fires only on fresh data that crosses', async () => {
    const r = await monitorRig();
    const [stop] = r.book.add([rule({ kind: 'stop-loss', at: price(PRICE - 1_000_000) })], { avgBuyPrice: noAvg });
    if (stop === undefined) throw new Error('no rule');
    const m = r.startMonitor();
    await waitFor(() => m.store.getSnapshot().watching && r.store.connection().state === 'live', 'the monitor watching');
    // A snapshot (as replayed after a reconnect) with a price under the stop, while the market is at PRICE.
    const wire = { ...r.server.engine.ticker(MARKET, 'SNAPSHOT'), trade_price: PRICE - 2_000_000, stream_type: 'SNAPSHOT' };
    r.server.injectFrame(Buffer.from(JSON.stringify(wire)));
    await waitFor(() => r.events.some((e) => e.kind === 'waiting' && e.text.startsWith('waiting for fresh data')), 'the rule waiting for fresh data');
    // The REST check says PRICE: not crossed, nothing sent, the rule still armed.
    await waitFor(() => m.store.getSnapshot().rules[0]?.lastPrice === PRICE, 'the REST price seen');
    expect(r.monitorIntents()).toBe(0);
    expect(r.book.get(stop.id)?.state).toBe('armed');
    // A real trade through the stop fires it.
    r.trade(PRICE - 1_000_000);
    await waitFor(() => r.book.get(stop.id)?.state === 'filled', 'the rule filled', 10_000);
    expect(r.monitorIntents()).toBe(1);
  });

  it('while the quotation link is down, a crossing is acted on only through a fresh REST price', async () => {
    const r = await monitorRig();
    const [stop] = r.book.add([rule({ kind: 'stop-loss', at: price(PRICE - 1_000_000) })], { avgBuyPrice: noAvg });
    if (stop === undefined) throw new Error('no rule');
    let down = false;
    const feed = { demand: r.feed.demand.bind(r.feed), tickers: { connection: () => (down ? { state: 'reconnecting' as const, attempt: 1, retryInMs: 1000, retryAt: Date.now() + 1000, reason: 'test', drops: 0 } : r.store.connection()) } };
    const m = r.startMonitor({ firing: true }, { feed: feed as never, staleMs: 200 });
    await waitFor(() => m.store.getSnapshot().watching && r.store.connection().state === 'live', 'the monitor watching');
    down = true;
    // The trade that crosses reaches the monitor while its link counts as down: checked over REST
    // (which has the same crossing price, fresh from the exchange), then fired.
    r.trade(PRICE - 1_500_000);
    await waitFor(() => r.book.get(stop.id)?.state === 'filled', 'the rule filled', 10_000);
    expect(r.journal.intents({ limit: 5 }).find((i) => i.source === 'monitor')?.note).toContain('(a REST check)');
    expect(r.events.find((e) => e.kind === 'waiting')?.text).toContain('waiting for fresh data');
  });

  it('two monitors on one journal: only the one with the firing role sends; the other still trades by hand', async () => {
    const r = await monitorRig();
    const [stop] = r.book.add([rule({ kind: 'stop-loss', at: price(PRICE - 1_000_000) })], { avgBuyPrice: noAvg });
    if (stop === undefined) throw new Error('no rule');
    const readOnly = r.startMonitor({ firing: false, heldBy: 'the rules are fired by pid 1' });
    await waitFor(() => readOnly.store.getSnapshot().watching, 'the read-only monitor');
    expect(r.feed.desired()).toEqual([]);
    r.trade(PRICE - 1_500_000);
    await waitFor(() => readOnly.store.getSnapshot().rules[0]?.rule.state === 'armed', 'the rule shown');
    expect(r.monitorIntents()).toBe(0);
    // Manual trading works beside it.
    const placed = await r.session.place({ market: MARKET, side: 'ask', ordType: 'limit', price: new Money(PRICE * 2), volume: new Money('0.0001') });
    expect(placed.status).toBe('acked');
    await r.stopMonitor();
    const firing = r.startMonitor();
    await waitFor(() => firing.store.getSnapshot().watching && r.store.connection().state === 'live', 'the firing monitor');
    r.trade(PRICE - 1_600_000);
    await waitFor(() => r.book.get(stop.id)?.state === 'filled', 'the rule filled by the firing monitor', 10_000);
    expect(r.monitorIntents()).toBe(1);
  });
});

describe('Monitor: price sources, confirmation, actions, refusals, reconciliation', () => {
  it('a rule on the best bid demands the order book and fires on its bid', async () => {
    const r = await monitorRig();
    const [stop] = r.book.add([rule({ kind: 'stop-loss', at: price(PRICE - 1_000_000) }, { source: 'bid' })], { avgBuyPrice: noAvg });
    if (stop === undefined) throw new Error('no rule');
    const m = r.startMonitor();
    await waitFor(() => m.store.getSnapshot().watching && r.feed.desired().some((s) => s.type === 'orderbook' && s.codes.includes(MARKET)), 'the order book demanded');
    expect(r.feed.desired().some((s) => s.type === 'ticker')).toBe(false);
    r.trade(PRICE - 1_500_000);
    await waitFor(() => r.book.get(stop.id)?.state === 'filled', 'the rule filled', 10_000);
    const last = await waitFor(() => m.store.getSnapshot().rules[0]?.lastPrice, 'the bid it fired on, on the view');
    expect(last).toBeLessThanOrEqual(PRICE - 1_000_000);
  });

  it('a confirmation of 3 ticks ignores a lone wick and fires on the third crossing tick in a row', async () => {
    const r = await monitorRig();
    const [stop] = r.book.add([rule({ kind: 'stop-loss', at: price(PRICE - 1_000_000) }, { confirm: { ticks: 3 } })], { avgBuyPrice: noAvg });
    if (stop === undefined) throw new Error('no rule');
    const m = r.startMonitor();
    await waitFor(() => m.store.getSnapshot().watching && r.store.connection().state === 'live', 'the monitor watching');
    r.trade(PRICE - 1_200_000); // a wick
    r.trade(PRICE - 500_000);
    r.trade(PRICE - 1_200_000);
    r.trade(PRICE - 1_100_000);
    await waitFor(() => m.store.getSnapshot().rules[0]?.lastPrice === PRICE - 1_100_000, 'two crossing ticks seen');
    expect(r.monitorIntents()).toBe(0);
    r.trade(PRICE - 1_300_000);
    await waitFor(() => r.book.get(stop.id)?.state === 'filled', 'the rule filled on the third', 10_000);
    expect(r.journal.intents({ limit: 5 }).find((i) => i.source === 'monitor')?.note).toContain('crossed at 93,700,000');
  });

  it('a limit action sells at the offset under the crossing price, on the price grid', async () => {
    const r = await monitorRig();
    const [stop] = r.book.add([rule({ kind: 'stop-loss', at: price(PRICE - 1_000_000) }, { action: { kind: 'limit', offsetPercent: new Money('0.5') } })], { avgBuyPrice: noAvg });
    if (stop === undefined) throw new Error('no rule');
    const m = r.startMonitor();
    await waitFor(() => m.store.getSnapshot().watching && r.store.connection().state === 'live', 'the monitor watching');
    r.trade(PRICE - 1_000_000);
    await waitFor(() => r.book.get(stop.id)?.state === 'ordered' || r.book.get(stop.id)?.state === 'filled', 'the rule ordered', 10_000);
    const intent = r.journal.intents({ limit: 5 }).find((i) => i.source === 'monitor');
    // 94,000,000 × 0.995 = 93,530,000, on KRW-BTC's 1,000 KRW step.
    expect(intent).toMatchObject({ ordType: 'limit', side: 'ask', price: '93530000' });
  });

  it('fails in plain words when the sell is under the minimum order, and sends nothing', async () => {
    const r = await monitorRig();
    const [stop] = r.book.add([rule({ kind: 'stop-loss', at: price(PRICE - 1_000_000) }, { size: { kind: 'volume', volume: new Money('0.00001') } })], { avgBuyPrice: noAvg });
    if (stop === undefined) throw new Error('no rule');
    const m = r.startMonitor();
    await waitFor(() => m.store.getSnapshot().watching && r.store.connection().state === 'live', 'the monitor watching');
    r.trade(PRICE - 1_000_000);
    await waitFor(() => r.book.get(stop.id)?.state === 'failed', 'the rule failed', 10_000);
    expect(r.book.get(stop.id)?.reason).toMatch(/selling 0\.00001 BTC is about 940 KRW, under Upbit's minimum order of 5,000 KRW; nothing was sent/);
    expect(r.events.at(-1)).toMatchObject({ kind: 'failed' });
    expect(r.journal.intents({ limit: 5 }).filter((i) => i.source === 'monitor')).toHaveLength(0);
  });

  it('at start, a rule that would sell more than the holding is resized to it, shown as a change', async () => {
    const r = await monitorRig();
    const [stop] = r.book.add([rule({ kind: 'stop-loss', at: price(PRICE - 1_000_000) }, { size: { kind: 'volume', volume: new Money(5) } })], { avgBuyPrice: noAvg });
    if (stop === undefined) throw new Error('no rule');
    const m = r.startMonitor();
    await waitFor(() => m.store.getSnapshot().watching, 'the monitor watching');
    const size = r.book.get(stop.id)?.def.size;
    expect(size?.kind === 'volume' && size.volume.eq(r.held)).toBe(true);
    expect(m.store.getSnapshot().changes).toMatchObject([{ kind: 'resized', ruleId: stop.id }]);
    expect(m.store.getSnapshot().changes[0]?.text).toContain(`resized from 5 to ${r.held.toFixed()} BTC`);
    m.acknowledgeChanges();
    await waitFor(() => m.store.getSnapshot().changes.length === 0, 'the change acknowledged');
  });
});
