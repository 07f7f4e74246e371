/**
 * The monitor's decision on one tick (issue 11), pure: whether a stop-loss, take-profit or
 * trailing stop is crossed by this price, with its confirmation against a lone wick, and which
 * of an OCO group fires. No clock, no I/O, no order: the caller (the monitor's every-tick
 * listener) gives each tick of the rule's market, persists the states this returns (a
 * trailing high-water mark included) and, for a rule that fires, commits `triggered` with the
 * order intent before anything is sent. Upbit's order types are limit, price, market and best
 * (https://docs.upbit.com/kr/reference/new-order): there is no stop or trigger order, so this
 * is all that stands between a position and a loss.
 *
 * Prices are decimals (the tick's `trade_price` or best bid as the feed parsed it); a percent
 * threshold is resolved against the average buy price once, when the rule is armed
 * ({@link resolveRule}), so the decision never depends on a balance read mid-stream.
 */
import { HUNDRED, type Decimal } from '../decimal.js';

/** A price, or a percent from the average buy price (`-3` is 3 % under it, `+5` 5 % over). */
export type Level = { kind: 'price'; price: Decimal } | { kind: 'percent'; percent: Decimal };

/** How far a trailing stop follows under its high-water mark. */
export type Trail = { kind: 'percent'; percent: Decimal } | { kind: 'krw'; amount: Decimal };

export type RuleTrigger =
  | { kind: 'stop-loss'; at: Level }
  | { kind: 'take-profit'; at: Level }
  /** Follows the highest price since activation (at once without `activation`), fires `trail` under it. */
  | { kind: 'trailing'; trail: Trail; activation?: Level };

/** Against a lone wick: the condition must hold for `ticks` ticks in a row and/or `ms` since it first held. */
export interface Confirmation {
  ticks?: number;
  ms?: number;
}

export interface RuleSpec {
  id: string;
  market: string;
  trigger: RuleTrigger;
  /** Rules of one group are one-cancels-other: when one fires, the others disarm. */
  oco?: string;
  confirm?: Confirmation;
}

/** A trigger with its percents turned into prices (see {@link resolveRule}). */
export type ResolvedTrigger =
  | { kind: 'stop-loss'; price: Decimal }
  | { kind: 'take-profit'; price: Decimal }
  | { kind: 'trailing'; trail: Trail; activation: Decimal | null };

export interface ResolvedRule {
  id: string;
  market: string;
  trigger: ResolvedTrigger;
  oco: string | null;
  confirm: { ticks: number; ms: number };
}

/** What the evaluation keeps between ticks; persisted with the rule (the mark survives a restart). */
export interface RuleWatch {
  /** Trailing only: the highest price since activation, or null before it. */
  highWater: Decimal | null;
  /** Since when (ms) and for how many ticks the condition has held; null while it does not. */
  holding: { since: number; ticks: number } | null;
}

export const FRESH_WATCH: RuleWatch = { highWater: null, holding: null };

export interface Tick {
  price: Decimal;
  /** ms since the epoch: the exchange's time of the trade, for the confirmation window. */
  at: number;
}

export type Decision =
  | { fire: false; watch: RuleWatch }
  /** `stop` is the level the price crossed (for the log: "stop 95,000,000 crossed at 94,990,000"). */
  | { fire: true; watch: RuleWatch; stop: Decimal; price: Decimal };

export class RuleSpecError extends Error {
  override readonly name = 'RuleSpecError';
}

function levelPrice(level: Level, avgBuyPrice: Decimal | null, what: string): Decimal {
  if (level.kind === 'price') {
    if (!level.price.isFinite() || level.price.lte(0)) throw new RuleSpecError(`${what}: a price must be above 0 (got ${level.price.toString()}).`);
    return level.price;
  }
  if (avgBuyPrice === null || !avgBuyPrice.isFinite() || avgBuyPrice.lte(0)) {
    throw new RuleSpecError(`${what}: a percent needs the position's average buy price, and there is none; give a price instead.`);
  }
  const price = avgBuyPrice.mul(HUNDRED.plus(level.percent)).div(HUNDRED);
  if (price.lte(0)) throw new RuleSpecError(`${what}: ${level.percent.toString()} % of the average buy price is not a price above 0.`);
  return price;
}

/** Percents resolved against the position's average buy price (null: none known), and the confirmation's defaults. */
export function resolveRule(spec: RuleSpec, avgBuyPrice: Decimal | null): ResolvedRule {
  const t = spec.trigger;
  let trigger: ResolvedTrigger;
  if (t.kind === 'trailing') {
    const positive = t.trail.kind === 'percent' ? t.trail.percent : t.trail.amount;
    if (!positive.isFinite() || positive.lte(0) || (t.trail.kind === 'percent' && positive.gte(HUNDRED))) {
      throw new RuleSpecError(`trailing stop: the trail must be above 0${t.trail.kind === 'percent' ? ' and under 100 %' : ' KRW'} (got ${positive.toString()}).`);
    }
    trigger = { kind: 'trailing', trail: t.trail, activation: t.activation === undefined ? null : levelPrice(t.activation, avgBuyPrice, 'trailing stop activation') };
  } else {
    trigger = { kind: t.kind, price: levelPrice(t.at, avgBuyPrice, t.kind) };
  }
  const ticks = Math.max(1, Math.trunc(spec.confirm?.ticks ?? 1));
  const ms = Math.max(0, Math.trunc(spec.confirm?.ms ?? 0));
  return { id: spec.id, market: spec.market, trigger, oco: spec.oco ?? null, confirm: { ticks, ms } };
}

/** The trailing stop's level under a high-water mark. */
export function trailingStop(highWater: Decimal, trail: Trail): Decimal {
  return trail.kind === 'percent' ? highWater.mul(HUNDRED.minus(trail.percent)).div(HUNDRED) : highWater.minus(trail.amount);
}

/** The level the rule fires at now, or null (a trailing stop not activated yet). */
export function levelOf(rule: ResolvedRule, watch: RuleWatch): Decimal | null {
  const t = rule.trigger;
  if (t.kind !== 'trailing') return t.price;
  return watch.highWater === null ? null : trailingStop(watch.highWater, t.trail);
}

/** One tick for one armed rule: the new watch, and whether it fires on this tick. */
export function evaluate(rule: ResolvedRule, watch: RuleWatch, tick: Tick): Decision {
  const t = rule.trigger;
  let highWater = watch.highWater;
  if (t.kind === 'trailing') {
    if (highWater === null && (t.activation === null || tick.price.gte(t.activation))) highWater = tick.price;
    else if (highWater !== null && tick.price.gt(highWater)) highWater = tick.price;
  }
  const next: RuleWatch = { highWater, holding: watch.holding };
  const stop = levelOf(rule, next);
  const crossed = stop !== null && (t.kind === 'take-profit' ? tick.price.gte(stop) : tick.price.lte(stop));
  if (!crossed) return { fire: false, watch: { highWater, holding: null } };
  const holding = watch.holding === null ? { since: tick.at, ticks: 1 } : { since: watch.holding.since, ticks: watch.holding.ticks + 1 };
  const confirmed = holding.ticks >= rule.confirm.ticks && tick.at - holding.since >= rule.confirm.ms;
  if (!confirmed) return { fire: false, watch: { highWater, holding } };
  return { fire: true, watch: { highWater, holding }, stop, price: tick.price };
}

export interface MarketDecision {
  /** Every armed rule's watch after the tick. */
  watches: Map<string, RuleWatch>;
  /** The rules that fire, at most one per OCO group (the first in `rules`' order). */
  fired: Array<{ rule: ResolvedRule; stop: Decimal; price: Decimal }>;
  /** Siblings of a rule that fired: the caller disarms them in the same transaction. */
  disarmed: Array<{ rule: ResolvedRule; because: string }>;
}

/**
 * One tick of a market for its armed rules, in their order (the caller's: oldest first). A
 * group in which a rule fires disarms its other rules on this same tick, whether or not they
 * crossed too, so a stop and a take-profit on one position never both sell.
 */
export function evaluateMarket(rules: readonly ResolvedRule[], watches: ReadonlyMap<string, RuleWatch>, tick: Tick): MarketDecision {
  const out: MarketDecision = { watches: new Map(), fired: [], disarmed: [] };
  const groupsFired = new Map<string, string>();
  for (const rule of rules) {
    const d = evaluate(rule, watches.get(rule.id) ?? FRESH_WATCH, tick);
    out.watches.set(rule.id, d.watch);
    if (d.fire && !(rule.oco !== null && groupsFired.has(rule.oco))) {
      out.fired.push({ rule, stop: d.stop, price: d.price });
      if (rule.oco !== null) groupsFired.set(rule.oco, rule.id);
    }
  }
  for (const rule of rules) {
    const winner = rule.oco === null ? undefined : groupsFired.get(rule.oco);
    if (winner !== undefined && winner !== rule.id) out.disarmed.push({ rule, because: `rule ${winner} of its OCO group ${rule.oco ?? ''} fired` });
  }
  return out;
}

