/**
 * The monitor's rules as the user states them, and the one place they are added, armed,
 * disarmed and removed: the CLI (`upbit-tui rules …`), the TUI's rules view and the monitor
 * all go through a {@link RuleBook} over the journal's rule table
 * (src/trading/journal/rule-table.ts), so every change is checked the same way and logged.
 *
 * A rule: a trigger (rule-eval.ts), how much to sell when it fires (everything held, a volume,
 * or a percent of the holding, read at firing), which price it watches (the last trade, or the
 * best bid from the order book stream), and what it sends (a market sell, or a limit sell at an
 * offset under the price that crossed). Upbit has no stop orders
 * (https://docs.upbit.com/kr/reference/new-order), so this is all the monitor has to go on.
 */
import { HUNDRED, Money, ZERO, formatAmount, plain, readTypedAmount, type Decimal } from '../decimal.js';
import type { OrderJournal, RuleState, StoredRule } from '../journal/index.js';
import { resolveRule, RuleSpecError, type Confirmation, type Level, type ResolvedRule, type ResolvedTrigger, type RuleTrigger, type Trail } from './rule-eval.js';

export { RuleSpecError };

/** How much a rule sells when it fires, read against the holding at that moment. */
export type SellSize = { kind: 'all' } | { kind: 'volume'; volume: Decimal } | { kind: 'percent'; percent: Decimal };

/** What a rule sends: a market sell, or a limit sell `offsetPercent` under the price that crossed. */
export type RuleAction = { kind: 'market' } | { kind: 'limit'; offsetPercent: Decimal };

/** The price a rule watches: the last trade (`ticker`), or the best bid (`orderbook`). */
export type PriceSource = 'trade' | 'bid';

export interface RuleDefinition {
  market: string;
  trigger: RuleTrigger;
  size: SellSize;
  source: PriceSource;
  action: RuleAction;
  oco: string | null;
  confirm: Confirmation;
}

/** A rule as stored, read back into its types. */
export interface RuleView {
  id: number;
  market: string;
  def: RuleDefinition;
  state: RuleState;
  /** The trigger with its percents as prices (from its last arming), or null if never armed. */
  resolved: ResolvedRule | null;
  highWater: Decimal | null;
  intentId: number | null;
  reason: string | null;
  createdAt: number;
  updatedAt: number;
}

// --- the user's words -------------------------------------------------------------------------

function decimalOf(text: string, what: string): Decimal {
  const r = readTypedAmount(text);
  if (!r.ok) throw new RuleSpecError(`${what}: ${r.message}`);
  return r.value;
}

/**
 * `-3%` (3 % under the average buy price), `+5%`, or a price (`95000000`, `95,000,000`). A
 * stop-loss percent must be under the average (`-3%`), a take-profit one over it (`5%`): a
 * sign the other way is refused rather than guessed.
 */
export function parseLevel(text: string, what: 'stop-loss' | 'take-profit' | 'activation'): Level {
  const t = text.trim().replace(/\s+/g, '');
  if (t.endsWith('%')) {
    const body = t.slice(0, -1);
    const percent = decimalOf(body.replace(/^[+-]/, ''), `${what} ${text}`).mul(body.startsWith('-') ? -1 : 1);
    if (what === 'stop-loss' && !percent.isNegative()) throw new RuleSpecError(`stop-loss ${text}: a stop-loss percent is under the average buy price; write it with a minus, e.g. -3%.`);
    if (what === 'take-profit' && !(percent.gt(0))) throw new RuleSpecError(`take-profit ${text}: a take-profit percent is over the average buy price, e.g. 5% or +5%.`);
    if (percent.lte(-100)) throw new RuleSpecError(`${what} ${text}: a percent under the average buy price must be above -100%.`);
    return { kind: 'percent', percent };
  }
  if (t.startsWith('-')) throw new RuleSpecError(`${what} ${text}: a price cannot be negative; for a percent under the average buy price write e.g. -3%.`);
  const price = decimalOf(t.replace(/^\+/, '').replace(/krw$/i, ''), `${what} ${text}`);
  if (price.lte(0)) throw new RuleSpecError(`${what} ${text}: a price must be above 0.`);
  return { kind: 'price', price };
}

/** A trail: `2%` under the high-water mark, or an amount in KRW (`500000`, `500,000KRW`). */
export function parseTrail(text: string): Trail {
  const t = text.trim().replace(/\s+/g, '');
  if (t.endsWith('%')) {
    const percent = decimalOf(t.slice(0, -1), `trailing ${text}`);
    if (percent.lte(0) || percent.gte(HUNDRED)) throw new RuleSpecError(`trailing ${text}: the trail must be above 0% and under 100%, e.g. 2%.`);
    return { kind: 'percent', percent };
  }
  const amount = decimalOf(t.replace(/krw$/i, ''), `trailing ${text}`);
  if (amount.lte(0)) throw new RuleSpecError(`trailing ${text}: the trail must be above 0 KRW, or a percent such as 2%.`);
  return { kind: 'krw', amount };
}

/** `all`, a percent of the holding (`50%`), or a volume (`0.01`). */
export function parseSize(text: string): SellSize {
  const t = text.trim().toLowerCase();
  if (t === 'all' || t === '100%') return { kind: 'all' };
  if (t.endsWith('%')) {
    const percent = decimalOf(t.slice(0, -1), `size ${text}`);
    if (percent.lte(0) || percent.gt(HUNDRED)) throw new RuleSpecError(`size ${text}: a percent of the holding is above 0% and at most 100%.`);
    return { kind: 'percent', percent };
  }
  const volume = decimalOf(t, `size ${text}`);
  if (volume.lte(0)) throw new RuleSpecError(`size ${text}: the volume to sell must be above 0, or "all", or a percent such as 50%.`);
  return { kind: 'volume', volume };
}

/** A limit sell's offset under the crossing price: `0.5%` (0 is a limit at the crossing price). */
export function parseOffset(text: string): RuleAction {
  const t = text.trim();
  const percent = decimalOf(t.endsWith('%') ? t.slice(0, -1) : t, `limit offset ${text}`);
  if (percent.isNegative() || percent.gte(HUNDRED)) throw new RuleSpecError(`limit offset ${text}: the offset under the crossing price is 0% or more and under 100%, e.g. 0.5%.`);
  return { kind: 'limit', offsetPercent: percent };
}

// --- words for a person -------------------------------------------------------------------------

function levelText(level: Level): string {
  return level.kind === 'price' ? formatAmount(level.price) : `${level.percent.isNegative() ? '' : '+'}${plain(level.percent)}%`;
}

function trailText(trail: Trail): string {
  return trail.kind === 'percent' ? `${plain(trail.percent)}%` : `${formatAmount(trail.amount)} KRW`;
}

/** "stop-loss -3%", "take-profit 95,000,000", "trailing 2% from 90,000,000". */
export function triggerText(t: RuleTrigger): string {
  if (t.kind === 'trailing') return `trailing ${trailText(t.trail)}${t.activation === undefined ? '' : ` from ${levelText(t.activation)}`}`;
  return `${t.kind} ${levelText(t.at)}`;
}

export function sizeText(s: SellSize): string {
  if (s.kind === 'all') return 'all';
  return s.kind === 'percent' ? `${plain(s.percent)}%` : plain(s.volume);
}

// --- JSON as stored ---------------------------------------------------------------------------

type Json = Record<string, unknown>;

function levelJson(l: Level): Json {
  return l.kind === 'price' ? { kind: 'price', price: plain(l.price) } : { kind: 'percent', percent: plain(l.percent) };
}

function trailJson(t: Trail): Json {
  return t.kind === 'percent' ? { kind: 'percent', percent: plain(t.percent) } : { kind: 'krw', amount: plain(t.amount) };
}

function money(v: unknown, what: string): Decimal {
  if (typeof v !== 'string' && typeof v !== 'number') throw new RuleSpecError(`stored rule: ${what} is not an amount`);
  const d = new Money(v);
  if (!d.isFinite()) throw new RuleSpecError(`stored rule: ${what} is not a finite amount`);
  return d;
}

function obj(v: unknown, what: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RuleSpecError(`stored rule: ${what} is not an object`);
  return v as Json;
}

function levelOfJson(v: unknown, what: string): Level {
  const o = obj(v, what);
  if (o.kind === 'price') return { kind: 'price', price: money(o.price, `${what} price`) };
  if (o.kind === 'percent') return { kind: 'percent', percent: money(o.percent, `${what} percent`) };
  throw new RuleSpecError(`stored rule: ${what} has kind ${String(o.kind)}`);
}

function trailOfJson(v: unknown): Trail {
  const o = obj(v, 'trail');
  if (o.kind === 'percent') return { kind: 'percent', percent: money(o.percent, 'trail percent') };
  if (o.kind === 'krw') return { kind: 'krw', amount: money(o.amount, 'trail amount') };
  throw new RuleSpecError(`stored rule: trail has kind ${String(o.kind)}`);
}

export function encodeDefinition(d: RuleDefinition): string {
  const t = d.trigger;
  const trigger: Json =
    t.kind === 'trailing' ? { kind: 'trailing', trail: trailJson(t.trail), ...(t.activation === undefined ? {} : { activation: levelJson(t.activation) }) } : { kind: t.kind, at: levelJson(t.at) };
  const size: Json = d.size.kind === 'all' ? { kind: 'all' } : d.size.kind === 'percent' ? { kind: 'percent', percent: plain(d.size.percent) } : { kind: 'volume', volume: plain(d.size.volume) };
  const action: Json = d.action.kind === 'market' ? { kind: 'market' } : { kind: 'limit', offsetPercent: plain(d.action.offsetPercent) };
  return JSON.stringify({ v: 1, market: d.market, trigger, size, source: d.source, action, oco: d.oco, confirm: d.confirm });
}

export function decodeDefinition(text: string): RuleDefinition {
  const o = obj(JSON.parse(text) as unknown, 'rule');
  const t = obj(o.trigger, 'trigger');
  let trigger: RuleTrigger;
  if (t.kind === 'trailing') trigger = { kind: 'trailing', trail: trailOfJson(t.trail), ...(t.activation === undefined ? {} : { activation: levelOfJson(t.activation, 'activation') }) };
  else if (t.kind === 'stop-loss' || t.kind === 'take-profit') trigger = { kind: t.kind, at: levelOfJson(t.at, t.kind) };
  else throw new RuleSpecError(`stored rule: trigger kind ${String(t.kind)}`);
  const s = obj(o.size, 'size');
  const size: SellSize = s.kind === 'percent' ? { kind: 'percent', percent: money(s.percent, 'size') } : s.kind === 'volume' ? { kind: 'volume', volume: money(s.volume, 'size') } : { kind: 'all' };
  const a = obj(o.action ?? { kind: 'market' }, 'action');
  const action: RuleAction = a.kind === 'limit' ? { kind: 'limit', offsetPercent: money(a.offsetPercent, 'offset') } : { kind: 'market' };
  const c = obj(o.confirm ?? {}, 'confirm');
  const confirm: Confirmation = {
    ...(typeof c.ticks === 'number' ? { ticks: c.ticks } : {}),
    ...(typeof c.ms === 'number' ? { ms: c.ms } : {}),
  };
  if (typeof o.market !== 'string') throw new RuleSpecError('stored rule: no market');
  return { market: o.market, trigger, size, source: o.source === 'bid' ? 'bid' : 'trade', action, oco: typeof o.oco === 'string' ? o.oco : null, confirm };
}

export function encodeResolved(t: ResolvedTrigger): string {
  if (t.kind === 'trailing') return JSON.stringify({ kind: 'trailing', trail: trailJson(t.trail), activation: t.activation === null ? null : plain(t.activation) });
  return JSON.stringify({ kind: t.kind, price: plain(t.price) });
}

export function decodeResolved(text: string): ResolvedTrigger {
  const o = obj(JSON.parse(text) as unknown, 'resolved trigger');
  if (o.kind === 'trailing') return { kind: 'trailing', trail: trailOfJson(o.trail), activation: o.activation === null || o.activation === undefined ? null : money(o.activation, 'activation') };
  if (o.kind === 'stop-loss' || o.kind === 'take-profit') return { kind: o.kind, price: money(o.price, 'price') };
  throw new RuleSpecError(`stored rule: resolved kind ${String(o.kind)}`);
}

function resolvedRule(id: number, def: RuleDefinition, trigger: ResolvedTrigger): ResolvedRule {
  const ticks = Math.max(1, Math.trunc(def.confirm.ticks ?? 1));
  const ms = Math.max(0, Math.trunc(def.confirm.ms ?? 0));
  return { id: String(id), market: def.market, trigger, oco: def.oco, confirm: { ticks, ms } };
}

/** A stored rule read back; a row this version cannot read comes back with `reason` saying so and no resolved trigger. */
export function viewOf(r: StoredRule): RuleView {
  const def = decodeDefinition(r.spec);
  return {
    id: r.id,
    market: r.market,
    def,
    state: r.state,
    resolved: r.resolved === null ? null : resolvedRule(r.id, def, decodeResolved(r.resolved)),
    highWater: r.highWater === null ? null : new Money(r.highWater),
    intentId: r.intentId,
    reason: r.reason,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

// --- the book -------------------------------------------------------------------------------------

/** What arming needs to know of the position: its average buy price (null: none known). */
export type AvgBuyPrice = (market: string) => Decimal | null;

/**
 * Every change to the rules, for the CLI, the TUI and the monitor alike. A percent level is
 * turned into a price when the rule is armed (from the position's average buy price then), so
 * the monitor never decides on a balance read mid-stream.
 */
export class RuleBook {
  readonly #journal: OrderJournal;

  constructor(journal: OrderJournal) {
    this.#journal = journal;
  }

  list(): RuleView[] {
    return this.#journal.rules.list().map(viewOf);
  }

  get(id: number): RuleView | undefined {
    const r = this.#journal.rules.get(id);
    return r === undefined ? undefined : viewOf(r);
  }

  /**
   * Add rules (one transaction: all or none), armed at once unless `arm` is false. Rules added
   * together on one market with no OCO group of their own form one (`oco` is set to
   * `group-<first id>`): a stop and a take-profit on the same position never both sell.
   */
  add(defs: readonly RuleDefinition[], opts: { arm?: boolean; avgBuyPrice: AvgBuyPrice }): RuleView[] {
    if (defs.length === 0) throw new RuleSpecError('Give at least one of --stop-loss, --take-profit or --trailing.');
    const arm = opts.arm ?? true;
    const markets = new Set(defs.map((d) => d.market));
    // Resolved before anything is written, so a refusal leaves nothing half-added.
    const resolved = defs.map((d) => (arm ? encodeResolved(resolveRule({ id: 'new', market: d.market, trigger: d.trigger, confirm: d.confirm }, opts.avgBuyPrice(d.market)).trigger) : null));
    return this.#journal.atomically(() => {
      const stored = defs.map((d, i) =>
        this.#journal.rules.add({
          market: d.market,
          spec: encodeDefinition(d),
          oco: d.oco,
          state: arm ? 'armed' : 'disarmed',
          resolved: resolved[i] ?? null,
          reason: arm ? 'armed when added' : 'added disarmed',
        }),
      );
      const first = stored[0];
      if (defs.length > 1 && markets.size === 1 && first !== undefined) {
        const group = `group-${first.id}`;
        defs.forEach((d, i) => {
          const id = stored[i]?.id;
          if (id !== undefined && d.oco === null) this.#journal.rules.setGroup(id, group, encodeDefinition({ ...d, oco: group }));
        });
      }
      return stored.map((r) => viewOf(this.#journal.rules.get(r.id) ?? r));
    });
  }

  /** Arm (again): from disarmed, filled or failed, its percents resolved against the average buy price now. */
  arm(id: number, avgBuyPrice: AvgBuyPrice): RuleView {
    const r = this.#require(id);
    const trigger = resolveRule({ id: String(id), market: r.market, trigger: r.def.trigger, confirm: r.def.confirm }, avgBuyPrice(r.market)).trigger;
    return viewOf(this.#journal.rules.move(id, 'armed', { from: ['disarmed', 'filled', 'failed'], patch: { resolved: encodeResolved(trigger), highWater: null, intentId: null, reason: 'armed by hand' }, detail: 'armed by hand' }));
  }

  /** Disarm an armed rule, saying why ("disarmed by hand", "the position is gone"). */
  disarm(id: number, reason = 'disarmed by hand'): RuleView {
    return viewOf(this.#journal.rules.move(id, 'disarmed', { from: ['armed'], patch: { reason }, detail: reason }));
  }

  /** Disarm every armed rule at once (one transaction); returns those it disarmed. */
  disarmAll(reason = 'all rules disarmed by hand'): RuleView[] {
    return this.#journal.atomically(() => this.#journal.rules.list().filter((r) => r.state === 'armed').map((r) => this.disarm(r.id, reason)));
  }

  /** Make rule `id` sell `size` from now on (reconciliation: a fixed volume larger than the holding). */
  resize(id: number, size: SellSize, why: string): RuleView {
    const r = this.#require(id);
    return viewOf(this.#journal.rules.amend(id, encodeDefinition({ ...r.def, size }), why));
  }

  remove(id: number): RuleView {
    return viewOf(this.#journal.rules.remove(id));
  }

  #require(id: number): RuleView {
    const r = this.get(id);
    if (r === undefined) throw new RuleSpecError(`There is no rule ${id}; \`upbit-tui rules list\` shows the rules there are.`);
    return r;
  }
}

/**
 * The volume a firing sells: of the holding available now (`balance`, not what open orders
 * lock), rounded down to Upbit's 8 decimals; zero when nothing is left to sell.
 */
export function volumeToSell(size: SellSize, available: Decimal): Decimal {
  const v = size.kind === 'all' ? available : size.kind === 'percent' ? available.mul(size.percent).div(HUNDRED) : size.volume.gt(available) ? available : size.volume;
  const rounded = v.toDecimalPlaces(8, Money.ROUND_DOWN);
  return rounded.isNegative() ? ZERO : rounded;
}
