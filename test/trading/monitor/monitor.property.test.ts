/**
 * The monitor's every-tick path (its number fast path and the exact decision behind it) over
 * random price paths and random rules (fast-check), against a model recomputed from the path:
 * each rule triggers on the first tick that crosses, never on one that does not, and at most
 * once however many ticks cross after it; an OCO group triggers one rule. The journal is a
 * real one (the trigger commits with the intent); the session is the journal write the order
 * service would make, with the POST left unanswered, so a rule stays `triggered` as it would
 * while its order is in the air.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';

import { Money, type Decimal } from '../../../src/trading/decimal.js';
import { openJournal, type OrderJournal } from '../../../src/trading/journal/index.js';
import { Monitor } from '../../../src/trading/monitor/monitor.js';
import { RuleBook, type RuleDefinition } from '../../../src/trading/monitor/rule-book.js';
import { trailingStop } from '../../../src/trading/monitor/rule-eval.js';
import type { PlaceResult } from '../../../src/trading/order-service.js';
import { AccountStore } from '../../../src/trading/session/account-store.js';
import type { TradingSession } from '../../../src/trading/session/index.js';
import { tradingRules } from '../../../src/trading/rules.js';
import { toDraft } from '../../../src/trading/order-request.js';
import type { Ticker } from '../../../src/upbit/types.js';
import { makeTicker } from '../ticker-fixture.js';
import { tempJournalFile } from '../../fixtures/trading/order-harness.js';

const open: OrderJournal[] = [];
afterEach(() => {
  for (const j of open.splice(0)) j.close();
});

type Kind = 'stop-loss' | 'take-profit' | 'trailing';
interface RuleCase {
  kind: Kind;
  /** Level in KRW (stop-loss, take-profit), or the trail in % (trailing). */
  level: number;
  oco: boolean;
}

/** The tick index each rule first triggers on (model), with OCO: the first rule of the group to cross wins, the rest never. */
function model(rules: readonly RuleCase[], path: readonly number[]): Array<number | null> {
  const out: Array<number | null> = rules.map(() => null);
  const hw: Array<Decimal | null> = rules.map(() => null);
  let ocoFired = false;
  path.forEach((p, i) => {
    const price = new Money(p);
    rules.forEach((r, k) => {
      if (out[k] !== null || (r.oco && ocoFired)) return;
      let crossed: boolean;
      if (r.kind === 'trailing') {
        const h = hw[k] ?? null;
        const high = h === null || price.gt(h) ? price : h;
        hw[k] = high;
        crossed = price.lte(trailingStop(high, { kind: 'percent', percent: new Money(r.level) }));
      } else crossed = r.kind === 'stop-loss' ? price.lte(r.level) : price.gte(r.level);
      if (crossed) {
        out[k] = i;
        if (r.oco) ocoFired = true;
      }
    });
  });
  return out;
}

async function run(rules: readonly RuleCase[], path: readonly number[]): Promise<{ triggeredAt: Array<number | null>; intents: number }> {
  const journal = openJournal(tempJournalFile(), { endpoint: 'http://127.0.0.1:1', accountId: 'prop' });
  open.push(journal);
  const book = new RuleBook(journal);
  const defs: RuleDefinition[] = rules.map((r) => ({
    market: 'KRW-BTC',
    trigger: r.kind === 'trailing' ? { kind: 'trailing', trail: { kind: 'percent', percent: new Money(r.level) } } : { kind: r.kind, at: { kind: 'price', price: new Money(r.level) } },
    size: { kind: 'all' },
    source: 'trade',
    action: { kind: 'market' },
    oco: r.oco ? 'g' : null,
    confirm: {},
  }));
  const ids = defs.map((d) => book.add([d], { avgBuyPrice: () => null })[0]?.id ?? -1);
  const account = new AccountStore({});
  account.applySync([{ currency: 'BTC', balance: new Money(1), locked: new Money(0), avgBuyPrice: null, unitCurrency: 'KRW' } as never]);

  let tick = -1;
  const triggeredAt = new Map<number, number>();
  const session: Pick<TradingSession, 'place' | 'placeAgain' | 'account' | 'available' | 'synced' | 'rules'> = {
    account,
    available: (currency) => account.current(currency)?.balance ?? new Money(0),
    synced: () => Promise.resolve(),
    rules: (market) => ({ rules: tradingRules(market), ticks: new Map(), known: false }),
    place: (intent, opts = {}) => {
      // The order service's journal write, with the rule's move in its transaction; never answered.
      journal.createIntentWithAttempt({ ...toDraft(intent), source: 'monitor' }, (ids) => {
        opts.journalWith?.(ids);
        for (const id of journal.rules.list().filter((r) => r.state === 'triggered' && !triggeredAt.has(r.id)).map((r) => r.id)) triggeredAt.set(id, tick);
      });
      return new Promise<PlaceResult>(() => undefined);
    },
    placeAgain: () => new Promise<PlaceResult>(() => undefined),
  };
  let listener: ((t: Ticker) => void) | undefined;
  const monitor = new Monitor({
    journal,
    session,
    feed: {
      demand: (_owner, demand) => {
        listener = demand.listener as (t: Ticker) => void;
        return () => undefined;
      },
      tickers: { connection: () => ({ state: 'live', since: 0, drops: 0 }) as never },
    },
    venue: { tickers: () => Promise.resolve([]) },
    role: { firing: true },
    pollMs: 1_000_000,
  });
  const abort = new AbortController();
  const done = monitor.run(abort.signal);
  for (let i = 0; i < 100 && listener === undefined; i++) await new Promise((resolve) => setImmediate(resolve));
  const tell = listener;
  if (tell === undefined) throw new Error('the monitor demanded nothing');
  for (const [i, p] of path.entries()) {
    tick = i;
    tell({ ...makeTicker('KRW-BTC', p), streamType: 'REALTIME' });
    // The firing's journal write runs after the order service's mutex: a turn of the loop.
    await new Promise((resolve) => setImmediate(resolve));
  }
  abort.abort();
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 100))]);
  return { triggeredAt: ids.map((id) => triggeredAt.get(id) ?? null), intents: journal.intents({ limit: 1000 }).length };
}

const priceArb = fc.integer({ min: 900, max: 1100 }).map((n) => n * 100_000);

describe('Monitor over random paths', () => {
  it('triggers each rule on the first crossing tick, never on one that does not cross, at most once; one per OCO group', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ kind: fc.constantFrom<Kind>('stop-loss', 'take-profit', 'trailing'), level: fc.integer({ min: 1, max: 10 }), oco: fc.boolean() }), { minLength: 1, maxLength: 4 }),
        fc.array(priceArb, { minLength: 1, maxLength: 40 }),
        async (cases, path) => {
          const rules = cases.map((c) => (c.kind === 'trailing' ? c : { ...c, level: (c.kind === 'stop-loss' ? 950 + c.level * 2 : 1050 - c.level * 2) * 100_000 }));
          const got = await run(rules, path);
          const want = model(rules, path);
          expect(got.triggeredAt).toEqual(want);
          expect(got.intents).toBe(want.filter((w) => w !== null).length);
        },
      ),
      { numRuns: 60, ...(process.env['FC_SEED'] === undefined ? {} : { seed: Number(process.env['FC_SEED']) }) },
    );
  }, 60_000);
});
