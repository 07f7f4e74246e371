/**
 * The monitor (issue 11): stop-loss, take-profit and trailing stops on every tick, exactly once.
 *
 * - **Every tick, synchronously.** It holds its own demand on the market feed for the markets
 *   that have armed rules (tickers; order books for rules on the best bid), whatever the screen
 *   shows, and decides in the demand's listener: never in React, never on a polling timer. A
 *   tick that crosses nothing costs a number comparison per rule (see {@link fastReject}); the
 *   exact decimal decision (rule-eval.ts) runs only when it might cross.
 * - **Exactly once.** The firing rule is marked busy in memory in the same listener call, so a
 *   burst of ticks (or a snapshot replay after a reconnect) finds it taken; its move to
 *   `triggered` (with its OCO siblings' to `disarmed`) commits in the transaction that journals
 *   the order intent and its pending attempt, before anything is sent
 *   (`OrderService.place`'s `journalWith`); placement is serialised by the order service's
 *   async-mutex; a rule that is not `armed` in the database when that transaction runs (another
 *   process moved it) rolls the lot back. After a crash the journal's recovery resolves the
 *   attempt and the monitor follows it: `ordered`, or, when the attempt provably never reached
 *   Upbit, the same intent sent again ({@link MAX_SENDS} at most), never a second trigger.
 * - **Stale guard.** A crossing seen on a snapshot (the first message after a (re)subscribe) or
 *   while the quotation link is not live is not acted on: the rule shows "waiting for fresh
 *   data" and the price is asked over REST (`GET /v1/ticker`), which fires it if it still
 *   crosses. While the link is down, markets with armed rules are checked over REST every
 *   `staleMs`.
 * - **One firing process** per account and data directory: the caller takes the firing lock
 *   (src/trading/monitor-lock.ts) and builds the monitor with `firing: true`, or with
 *   `firing: false` and who holds it; then the rules are shown read-only (re-read when the
 *   database changes) and nothing fires here.
 */
import { describeError, isCancellation } from '../../runtime/errors.js';
import { sleep } from '../../runtime/backoff.js';
import { silentLogger, type Logger } from '../../runtime/logger.js';
import type { MarketCode, Orderbook, Ticker } from '../../upbit/types.js';
import type { ConnectionStatus } from '../../upbit/socket/status.js';
import { Money, formatAmount, plain, type Decimal } from '../decimal.js';
import type { Demand } from '../feed/demands.js';
import { RuleStateError, type IntentWithAttempts, type OrderJournal } from '../journal/index.js';
import { roundBuyPrice } from '../money.js';
import { InvalidOrderError, NotReadyError, ShuttingDownError } from '../order-errors.js';
import type { OrderIntent } from '../order-request.js';
import type { PlaceResult } from '../order-service.js';
import { Publisher, type ExternalStore } from '../session/publisher.js';
import type { TradingSession } from '../session/session.js';
import type { Venue } from '../venue.js';
import { RuleBook, sizeText, triggerText, viewOf, volumeToSell, type RuleView } from './rule-book.js';
import { evaluate, FRESH_WATCH, levelOf, type Decision, type RuleWatch } from './rule-eval.js';
import { reconcileRules, type RuleChange } from './reconcile.js';

/** Sends of one fired rule's intent at most: the first, and re-sends after proof it never reached Upbit. */
export const MAX_SENDS = 3;

export type MonitorEventKind = 'armed' | 'triggered' | 'ordered' | 'filled' | 'failed' | 'disarmed' | 'resent' | 'waiting' | 'changed';

/** What the monitor tells its front end (a log line, a notification): in words, with the rule. */
export interface MonitorEvent {
  kind: MonitorEventKind;
  ruleId: number;
  market: string;
  text: string;
  at: number;
}

export interface RuleStatus {
  rule: RuleView;
  /** The level it fires at now (a trailing stop's moves with its mark), or null (not activated). */
  level: Decimal | null;
  /** The last price it was evaluated on, or null. */
  lastPrice: number | null;
  /** Why it is not acting now ("waiting for fresh data"), or null. */
  waiting: string | null;
}

export type MonitorRole = { firing: true } | { firing: false; heldBy: string };

export interface MonitorSnapshot {
  version: number;
  role: MonitorRole;
  /** False before start-up has reconciled the rules, and after the monitor stopped. */
  watching: boolean;
  rules: readonly RuleStatus[];
  /** What reconciliation with the balances changed at start, for the user to acknowledge. */
  changes: readonly RuleChange[];
}

export interface MonitorOptions {
  journal: OrderJournal;
  session: Pick<TradingSession, 'place' | 'placeAgain' | 'account' | 'available' | 'synced' | 'rules'>;
  /** The market feed (its demands) and the ticker store's connection state. */
  feed: { demand<K extends 'ticker' | 'orderbook'>(owner: string, demand: Demand<K>): () => void; tickers: { connection(): ConnectionStatus } };
  /** Prices over REST for the stale guard. */
  venue: Pick<Venue, 'tickers'>;
  role: MonitorRole;
  /** @default silentLogger */
  logger?: Logger;
  /** @default Date.now */
  now?: () => number;
  /** A tick older than this (or the link down this long) is not acted on without a REST check. @default 5000 */
  staleMs?: number;
  /** How often the rules are re-read when the database changed, fired rules followed, marks saved. @default 250 */
  pollMs?: number;
  /** Told of every state change, synchronously; what it throws is logged. */
  onEvent?: (e: MonitorEvent) => void;
}

interface Active {
  view: RuleView;
  watch: RuleWatch;
  /** Number forms of the decimals, for the fast path (NaN: none). */
  levelNum: number;
  hwNum: number;
  activationNum: number;
  /** A firing of it is under way in this process: every later tick skips it. */
  busy: boolean;
  hwDirty: boolean;
  lastPrice: number | null;
  waiting: string | null;
}

const num = (d: Decimal | null): number => (d === null ? Number.NaN : Number(d.toString()));

/**
 * True when `price` certainly does not change the rule: no crossing, no new high, nothing held.
 * Exact, not a heuristic: rounding a decimal to the nearest double is monotonic, so a double
 * strictly beyond the level's double is a decimal beyond the level.
 */
function fastReject(a: Active, price: number): boolean {
  if (a.watch.holding !== null) return false;
  const t = a.view.resolved?.trigger;
  if (t === undefined) return true;
  if (t.kind === 'stop-loss') return price > a.levelNum;
  if (t.kind === 'take-profit') return price < a.levelNum;
  if (Number.isNaN(a.hwNum)) return !Number.isNaN(a.activationNum) && price < a.activationNum;
  return price <= a.hwNum && price > a.levelNum;
}

export class Monitor {
  readonly #o: MonitorOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #staleMs: number;
  readonly #pollMs: number;
  readonly #book: RuleBook;
  readonly #publisher: Publisher<MonitorSnapshot>;
  /** Rules by id, and the armed ones by market and price source. */
  #rules = new Map<number, Active>();
  #byTrade = new Map<MarketCode, Active[]>();
  #byBid = new Map<MarketCode, Active[]>();
  #demanded = { trade: '', bid: '' };
  #releases: Array<() => void> = [];
  #changes: RuleChange[] = [];
  #watching = false;
  #stopped = false;
  #dataVersion = -1;
  readonly #inFlight = new Set<Promise<void>>();
  /** Markets with a REST check under way, so a burst asks once. */
  readonly #checking = new Set<MarketCode>();
  #lastTickAt = new Map<MarketCode, number>();
  #signal: AbortSignal | undefined;

  constructor(o: MonitorOptions) {
    this.#o = o;
    this.#log = (o.logger ?? silentLogger).child({ component: 'monitor' });
    this.#now = o.now ?? Date.now;
    this.#staleMs = Math.max(1, o.staleMs ?? 5_000);
    this.#pollMs = Math.max(10, o.pollMs ?? 250);
    this.#book = new RuleBook(o.journal);
    this.#publisher = new Publisher((version) => this.#build(version), { hz: 8, now: this.#now, logger: this.#log });
  }

  get store(): ExternalStore<MonitorSnapshot> {
    return this.#publisher;
  }

  get role(): MonitorRole {
    return this.#o.role;
  }

  /** The rules' one path for changes (the TUI's rules view and the CLI use it too). */
  get book(): RuleBook {
    return this.#book;
  }

  /** The start-up changes have been seen by the user. */
  acknowledgeChanges(): void {
    this.#changes = [];
    this.#publisher.changed();
  }

  /**
   * Kernel task body: waits for the session's first read of the account, reconciles the rules
   * with it (firing role only), then watches until `signal` aborts; then stops taking triggers
   * at once and awaits firings already under way.
   */
  async run(signal: AbortSignal): Promise<void> {
    this.#signal = signal;
    const stopOnAbort = (): void => this.#stop();
    signal.addEventListener('abort', stopOnAbort, { once: true });
    try {
      if (this.#o.role.firing) {
        await this.#o.session.synced(signal);
        this.#changes = reconcileRules(this.#book, this.#o.session.account.getSnapshot(), this.#now());
        for (const c of this.#changes) {
          this.#log.info({ rule: c.ruleId, market: c.market, change: c.kind, text: c.text }, 'rule reconciled with the balances');
          this.#tell(c.kind === 'disarmed' ? 'disarmed' : 'changed', c.ruleId, c.market, c.text);
        }
      }
      this.#reload(true);
      this.#watching = true;
      this.#publisher.changed();
      while (!signal.aborted) {
        this.#poll();
        await sleep(this.#pollMs, signal);
      }
    } catch (error) {
      if (!isCancellation(error, signal)) throw error;
    } finally {
      signal.removeEventListener('abort', stopOnAbort);
      this.#stop();
      await Promise.allSettled([...this.#inFlight]);
      this.#saveMarks();
      this.#publisher.flush();
      this.#publisher.close();
    }
  }

  /** Firings under way (shutdown waits for them). */
  inFlight(): number {
    return this.#inFlight.size;
  }

  // --- the every-tick path ----------------------------------------------------------------------

  readonly #onTicker = (t: Ticker): void => {
    const list = this.#byTrade.get(t.market);
    if (list === undefined) return;
    this.#lastTickAt.set(t.market, this.#now());
    this.#onPrice(list, t.market, t.tradePrice, t.tradeTimestamp, t.streamType === 'REALTIME');
  };

  readonly #onBook = (b: Orderbook): void => {
    const list = this.#byBid.get(b.market);
    const best = b.units[0];
    if (list === undefined || best === undefined) return;
    this.#onPrice(list, b.market, best.bidPrice, b.timestamp, b.streamType === 'REALTIME');
  };

  #onPrice(list: readonly Active[], market: MarketCode, price: number, at: number, realtime: boolean): void {
    if (this.#stopped) return;
    let fresh: boolean | undefined;
    const groupsFired = new Set<string>();
    for (const a of list) {
      if (a.busy || a.view.state !== 'armed') continue;
      a.lastPrice = price;
      if (fastReject(a, price)) {
        if (a.waiting !== null && realtime) a.waiting = null;
        continue;
      }
      const rule = a.view.resolved;
      if (rule === null) continue;
      const d = evaluate(rule, a.watch, { price: new Money(price), at });
      this.#keep(a, d);
      if (!d.fire || (rule.oco !== null && groupsFired.has(rule.oco))) continue;
      fresh ??= realtime && this.#o.feed.tickers.connection().state === 'live';
      if (!fresh) {
        this.#wait(a, 'waiting for fresh data: the price that crossed came from a snapshot or a link that is not live; checking it over REST');
        this.#checkOverRest(market);
        continue;
      }
      if (rule.oco !== null) groupsFired.add(rule.oco);
      this.#fire(a, d, 'the stream');
    }
  }

  #keep(a: Active, d: Decision): void {
    const before = a.watch.highWater;
    a.watch = d.watch;
    if (d.watch.highWater !== before) {
      a.hwNum = num(d.watch.highWater);
      a.hwDirty = true;
      a.levelNum = num(a.view.resolved === null ? null : levelOf(a.view.resolved, a.watch));
    }
  }

  #wait(a: Active, why: string): void {
    if (a.waiting === why) return;
    a.waiting = why;
    this.#tell('waiting', a.view.id, a.view.market, why);
    this.#publisher.changed();
  }

  // --- firing ---------------------------------------------------------------------------------------

  #fire(a: Active, d: Extract<Decision, { fire: true }>, via: string): void {
    if (!this.#o.role.firing) return;
    a.busy = true;
    a.waiting = null;
    const work = this.#place(a, d, via).finally(() => {
      this.#inFlight.delete(work);
    });
    this.#inFlight.add(work);
  }

  async #place(a: Active, d: Extract<Decision, { fire: true }>, via: string): Promise<void> {
    const v = a.view;
    const [, base = ''] = v.market.split('-');
    const held = this.#o.session.available(base);
    const volume = volumeToSell(v.def.size, held);
    const crossed = `${triggerText(v.def.trigger)} (${formatAmount(d.stop)}) crossed at ${formatAmount(d.price)} (${via})`;
    if (volume.isZero()) {
      this.#failBeforeOrder(a, `${crossed}, but there is no ${base} available to sell (sold outside upbit-tui, or locked by an open order); the rule did not send anything.`);
      return;
    }
    // The pre-trade check prices a market sell from the screen's quotes, which a rule's market
    // may not have (not in the watchlist); the monitor has the price that crossed.
    const minimum = this.#o.session.rules(v.market).rules.askMinTotal;
    const worth = volume.mul(d.price);
    if (minimum !== null && worth.lt(minimum)) {
      this.#failBeforeOrder(
        a,
        `${crossed}, but selling ${plain(volume)} ${base} is about ${formatAmount(worth, 0)} KRW, under Upbit's minimum order of ${formatAmount(minimum)} KRW; nothing was sent. Give the rule a larger size, or sell by hand.`,
      );
      return;
    }
    const intent: OrderIntent =
      v.def.action.kind === 'market'
        ? { market: v.market, side: 'ask', ordType: 'market', volume }
        : // Rounded down to the tick: a stop's limit must fill rather than sit a tick above the market.
          { market: v.market, side: 'ask', ordType: 'limit', volume, price: roundBuyPrice(v.market, d.price.mul(new Money(100).minus(v.def.action.offsetPercent)).div(100), this.#o.session.rules(v.market).ticks) };
    const siblings = v.def.oco === null ? [] : [...this.#rules.values()].filter((s) => s !== a && s.view.def.oco === v.def.oco && s.view.state === 'armed');
    for (const s of siblings) s.busy = true;
    const note = `rule ${v.id}: ${crossed}; selling ${plain(volume)} ${base} (${sizeText(v.def.size)})`;
    this.#log.info({ rule: v.id, market: v.market, stop: plain(d.stop), price: plain(d.price), volume: plain(volume) }, 'rule triggered');
    let result: PlaceResult;
    try {
      result = await this.#o.session.place(intent, {
        source: 'monitor',
        note,
        journalWith: ({ intentId }) => {
          this.#o.journal.rules.move(v.id, 'triggered', { from: ['armed'], patch: { intentId, highWater: d.watch.highWater === null ? null : plain(d.watch.highWater), reason: note }, detail: note });
          for (const s of siblings) {
            const why = `rule ${v.id} of its OCO group ${v.def.oco ?? ''} fired`;
            this.#o.journal.rules.move(s.view.id, 'disarmed', { from: ['armed'], patch: { reason: why }, detail: why });
          }
        },
      });
    } catch (error) {
      this.#afterRefusal(a, error, crossed);
      return;
    } finally {
      for (const s of siblings) s.busy = false;
    }
    this.#tell('triggered', v.id, v.market, note);
    for (const s of siblings) this.#tell('disarmed', s.view.id, s.view.market, `rule ${v.id} of its OCO group fired`);
    if (result.status === 'acked') this.#moveTo(v.id, 'ordered', `order ${result.order.uuid} placed at Upbit`, 'ordered');
    // Not armed in the database any more: the re-read (in this same turn, before any tick) makes it so here too.
    a.busy = false;
    this.#reload(false);
  }

  #afterRefusal(a: Active, error: unknown, crossed: string): void {
    const v = a.view;
    if (error instanceof InvalidOrderError) {
      this.#failBeforeOrder(a, `${crossed}, but the sell was refused before sending: ${error.message}`);
    } else if (error instanceof RuleStateError) {
      // Another process moved the rule first: the database is the truth.
      this.#log.warn({ rule: v.id, err: error.message }, 'rule moved elsewhere before it fired here');
    } else if (error instanceof NotReadyError || error instanceof ShuttingDownError) {
      // Nothing was journalled: the rule is still armed and fires on the next tick that crosses.
      this.#wait(a, error instanceof NotReadyError ? 'waiting: earlier orders are still being looked up before anything new is sent' : 'not watched: upbit-tui is shutting down');
    } else {
      // Journalled: the exchange refused it (rejected) or it provably never arrived; #follow decides.
      this.#log.warn({ rule: v.id, err: describeError(error) }, 'the rule’s order was not placed');
    }
    a.busy = false;
    this.#reload(false);
  }

  #failBeforeOrder(a: Active, text: string): void {
    a.busy = false;
    try {
      this.#o.journal.rules.move(a.view.id, 'failed', { from: ['armed'], patch: { reason: text }, detail: text });
      this.#tell('failed', a.view.id, a.view.market, text);
    } catch (error) {
      if (!(error instanceof RuleStateError)) throw error;
    }
    this.#reload(false);
  }

  #moveTo(id: number, to: 'ordered' | 'filled' | 'failed', text: string, kind: MonitorEventKind): void {
    try {
      this.#o.journal.rules.move(id, to, { patch: { reason: text }, detail: text });
    } catch (error) {
      if (error instanceof RuleStateError) return;
      throw error;
    }
    const r = this.#rules.get(id);
    this.#tell(kind, id, r?.view.market ?? '', text);
  }

  /** Fired rules: follow their order in the journal to `ordered`, `filled` or `failed`; send again what provably never arrived. */
  #follow(): void {
    for (const a of this.#rules.values()) {
      const v = a.view;
      if ((v.state !== 'triggered' && v.state !== 'ordered') || v.intentId === null || a.busy) continue;
      const intent = this.#o.journal.intent(v.intentId);
      if (intent === undefined) continue;
      const last = intent.attempts.at(-1);
      if (last === undefined) continue;
      switch (last.state) {
        case 'acked':
          if (v.state === 'triggered') this.#moveTo(v.id, 'ordered', `order ${last.uuid ?? ''} placed at Upbit`, 'ordered');
          break;
        case 'done':
        case 'cancel':
          this.#ended(a, intent, last.state);
          break;
        case 'rejected':
          this.#moveTo(v.id, 'failed', `Upbit refused the sell: ${last.error?.message ?? 'no reason given'} (${last.error?.name ?? ''}). The position is not protected by this rule any more; sell by hand or arm it again.`, 'failed');
          break;
        case 'not_found':
          this.#sendAgain(a, intent);
          break;
        default:
          break;
      }
    }
  }

  #ended(a: Active, intent: IntentWithAttempts, state: 'done' | 'cancel'): void {
    const v = a.view;
    const last = intent.attempts.at(-1);
    const executed = new Money(last?.executed?.volume ?? '0');
    if (v.state === 'triggered') this.#moveTo(v.id, 'ordered', `order ${last?.uuid ?? ''} placed at Upbit`, 'ordered');
    if (executed.isZero()) {
      this.#moveTo(v.id, 'failed', `its order ${last?.uuid ?? ''} was cancelled with nothing sold`, 'failed');
      return;
    }
    const funds = last?.executed?.funds;
    const avg = funds === null || funds === undefined ? null : new Money(funds).div(executed);
    const asked = intent.volume === null ? null : new Money(intent.volume);
    const part = state === 'cancel' && asked !== null && executed.lt(asked) ? ` of ${plain(asked)} (the rest was cancelled)` : '';
    this.#moveTo(v.id, 'filled', `sold ${plain(executed)}${part}${avg === null ? '' : ` at ${formatAmount(avg, 0)} on average`}`, 'filled');
  }

  #sendAgain(a: Active, intent: IntentWithAttempts): void {
    const v = a.view;
    if (!this.#o.role.firing || this.#stopped) return;
    if (intent.attempts.length >= MAX_SENDS) {
      this.#moveTo(v.id, 'failed', `its sell never reached Upbit after ${intent.attempts.length} tries; the position is not protected by this rule any more — sell by hand or arm it again.`, 'failed');
      return;
    }
    a.busy = true;
    const dead = intent.attempts.at(-1)?.identifier ?? '';
    const text = `sent again: attempt ${dead} never reached Upbit`;
    const work = this.#o.session
      .placeAgain(intent.id, { journalWith: () => void this.#o.journal.rules.move(v.id, 'triggered', { from: ['triggered'], detail: text }) })
      .then(
        (result) => {
          this.#tell('resent', v.id, v.market, text);
          if (result.status === 'acked') this.#moveTo(v.id, 'ordered', `order ${result.order.uuid} placed at Upbit`, 'ordered');
        },
        (error: unknown) => this.#log.warn({ rule: v.id, err: describeError(error) }, 'sending a fired rule’s order again failed; the next poll decides'),
      )
      .finally(() => {
        a.busy = false;
        this.#inFlight.delete(work);
        this.#reload(false);
      });
    this.#inFlight.add(work);
  }

  // --- stale guard ---------------------------------------------------------------------------------

  #checkOverRest(market: MarketCode): void {
    if (this.#checking.has(market) || this.#stopped) return;
    this.#checking.add(market);
    const work = this.#o.venue
      .tickers([market], { signal: this.#signal })
      .then((answer) => {
        const t = answer.find((x) => x.market === market);
        const list = this.#byTrade.get(market);
        if (t === undefined || list === undefined) return;
        // The exchange's answer now: fresh by definition, and the rule's own confirmation still applies.
        this.#onRestPrice(list, Number(t.tradePrice.toString()));
      })
      .catch((error: unknown) => {
        if (this.#signal === undefined || !isCancellation(error, this.#signal)) this.#log.warn({ market, err: describeError(error) }, 'the REST price check of the stale guard failed; retried');
      })
      .finally(() => {
        this.#checking.delete(market);
        this.#inFlight.delete(work);
      });
    this.#inFlight.add(work);
  }

  #onRestPrice(list: readonly Active[], price: number): void {
    const groupsFired = new Set<string>();
    const at = this.#now();
    for (const a of list) {
      if (a.busy || a.view.state !== 'armed' || a.view.resolved === null || this.#stopped) continue;
      a.lastPrice = price;
      const d = evaluate(a.view.resolved, a.watch, { price: new Money(price), at });
      this.#keep(a, d);
      a.waiting = null;
      if (!d.fire || (a.view.def.oco !== null && groupsFired.has(a.view.def.oco))) continue;
      if (a.view.def.oco !== null) groupsFired.add(a.view.def.oco);
      this.#fire(a, d, 'a REST check');
    }
    this.#publisher.changed();
  }

  /** While the link is not live, markets with armed rules on the last trade are checked over REST every `staleMs`. */
  #guardStale(): void {
    if (this.#o.feed.tickers.connection().state === 'live') return;
    const now = this.#now();
    for (const [market, list] of this.#byTrade) {
      if (!list.some((a) => a.view.state === 'armed' && !a.busy)) continue;
      if (now - (this.#lastTickAt.get(market) ?? 0) < this.#staleMs) continue;
      this.#lastTickAt.set(market, now);
      for (const a of list) if (a.view.state === 'armed') this.#wait(a, 'waiting for fresh data: the quotation link is down; checking the price over REST');
      this.#checkOverRest(market);
    }
  }

  // --- the rules as stored -----------------------------------------------------------------------

  #poll(): void {
    const version = this.#o.journal.dataVersion();
    const firing = [...this.#rules.values()].some((a) => a.view.state === 'triggered' || a.view.state === 'ordered');
    if (version !== this.#dataVersion || firing) this.#reload(false);
    // Prices and marks moved in memory: the view's snapshot follows at the publisher's rate.
    this.#publisher.changed();
    if (this.#o.role.firing) {
      this.#follow();
      this.#guardStale();
      this.#saveMarks();
    }
  }

  /** Read the rules again (all of them: a thousand rows is well under a millisecond) and demand their markets. */
  #reload(first: boolean): void {
    this.#dataVersion = this.#o.journal.dataVersion();
    const next = new Map<number, Active>();
    for (const stored of this.#o.journal.rules.list()) {
      let view: RuleView;
      try {
        view = viewOf(stored);
      } catch (error) {
        this.#log.error({ rule: stored.id, err: describeError(error) }, 'a stored rule cannot be read; it is not watched');
        continue;
      }
      const old = this.#rules.get(view.id);
      const same = old !== undefined && old.view.state === view.state && stored.resolved !== null && JSON.stringify(old.view.resolved) === JSON.stringify(view.resolved);
      // Kept across a re-read: the in-memory mark (it may be ahead of the saved one) and the busy flag.
      const watch: RuleWatch = same ? old.watch : { ...FRESH_WATCH, highWater: view.highWater };
      const a: Active = {
        view,
        watch,
        levelNum: num(view.resolved === null ? null : levelOf(view.resolved, watch)),
        hwNum: num(watch.highWater),
        activationNum: num(view.resolved?.trigger.kind === 'trailing' ? view.resolved.trigger.activation : null),
        busy: old?.busy ?? false,
        hwDirty: same ? old.hwDirty : false,
        lastPrice: old?.lastPrice ?? null,
        waiting: same ? old.waiting : null,
      };
      next.set(view.id, a);
    }
    this.#rules = next;
    const trade = new Map<MarketCode, Active[]>();
    const bid = new Map<MarketCode, Active[]>();
    for (const a of next.values()) {
      if (a.view.state !== 'armed') continue;
      const into = a.view.def.source === 'bid' ? bid : trade;
      const list = into.get(a.view.market);
      if (list === undefined) into.set(a.view.market, [a]);
      else list.push(a);
    }
    this.#byTrade = trade;
    this.#byBid = bid;
    if (this.#o.role.firing && !this.#stopped) this.#demand();
    if (!first) this.#publisher.changed();
  }

  #demand(): void {
    const tradeKey = [...this.#byTrade.keys()].sort().join(',');
    const bidKey = [...this.#byBid.keys()].sort().join(',');
    if (tradeKey === this.#demanded.trade && bidKey === this.#demanded.bid) return;
    // A market is stale only once it has been demanded for `staleMs` without a tick on a live link.
    const now = this.#now();
    for (const market of this.#byTrade.keys()) if (!this.#lastTickAt.has(market)) this.#lastTickAt.set(market, now);
    const old = this.#releases;
    this.#releases = [];
    if (tradeKey !== '') this.#releases.push(this.#o.feed.demand('monitor', { type: 'ticker', codes: [...this.#byTrade.keys()], listener: this.#onTicker }));
    if (bidKey !== '') this.#releases.push(this.#o.feed.demand('monitor', { type: 'orderbook', codes: [...this.#byBid.keys()], listener: this.#onBook }));
    // Released after the new demands are made: a market in both stays subscribed throughout.
    for (const release of old) release();
    this.#demanded = { trade: tradeKey, bid: bidKey };
  }

  #saveMarks(): void {
    const marks: Array<{ id: number; highWater: string }> = [];
    for (const a of this.#rules.values()) {
      if (!a.hwDirty || a.watch.highWater === null) continue;
      marks.push({ id: a.view.id, highWater: plain(a.watch.highWater) });
      a.hwDirty = false;
    }
    try {
      this.#o.journal.rules.saveHighWater(marks);
    } catch (error) {
      this.#log.error({ err: describeError(error) }, 'trailing marks could not be saved; kept in memory and tried again');
      for (const m of marks) {
        const a = this.#rules.get(m.id);
        if (a !== undefined) a.hwDirty = true;
      }
    }
  }

  #stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const release of this.#releases) release();
    this.#releases = [];
    this.#demanded = { trade: '', bid: '' };
    this.#watching = false;
    this.#publisher.changed();
  }

  #tell(kind: MonitorEventKind, ruleId: number, market: string, text: string): void {
    const e: MonitorEvent = { kind, ruleId, market, text, at: this.#now() };
    this.#log.info({ event: kind, rule: ruleId, market, text }, `rule ${ruleId} ${kind}`);
    if (this.#o.onEvent === undefined) return;
    try {
      this.#o.onEvent(e);
    } catch (error) {
      this.#log.error({ err: describeError(error) }, 'a monitor event listener threw');
    }
  }

  #build(version: number): MonitorSnapshot {
    const rules: RuleStatus[] = [];
    for (const a of this.#rules?.values() ?? []) {
      rules.push({ rule: a.view, level: a.view.resolved === null ? null : levelOf(a.view.resolved, a.watch), lastPrice: a.lastPrice, waiting: a.waiting });
    }
    return { version, role: this.#o.role, watching: this.#watching && !this.#stopped, rules, changes: this.#changes ?? [] };
  }
}
