import { CANDLE_UNITS, type Candle, type CandleType, type MarketCode, type Orderbook, type Ticker, type Trade } from '../../upbit/types.js';
import type { Subscription, SubscriptionType } from '../../upbit/quotation-client.js';

/** A data type a part of the program can demand: what the quotation stream carries. */
export type FeedType = SubscriptionType;

/** What a demand of type `K` hands its listener. */
export type FeedData<K extends FeedType> = K extends 'ticker' ? Ticker : K extends 'trade' ? Trade : K extends 'orderbook' ? Orderbook : Candle;

/** What a part of the program needs from the market feed. */
export interface Demand<K extends FeedType = FeedType> {
  type: K;
  /** Upper-case market codes, e.g. `KRW-BTC`. */
  codes: readonly MarketCode[];
  /**
   * Called synchronously with every message of these markets (and this type) as it arrives,
   * in order, whether a table or panel shows them or not. Keep it cheap. A listener that throws
   * is logged with the demand's owner, counted, told through `onError`, and stays subscribed;
   * the stream and the other listeners go on.
   * @default none: the data only lands in its store slice
   */
  listener?: (data: FeedData<K>) => void;
  /** Told when `listener` throws, with the message it threw on. @default none */
  onError?: (error: unknown, data: FeedData<K>) => void;
}

/** The order types go out in, so the same demands always give the same request. */
const TYPE_ORDER: readonly FeedType[] = ['ticker', 'trade', 'orderbook', ...CANDLE_UNITS.map((u): CandleType => `candle.${u}`)];

/**
 * The union of the live demands, per type, as the subscription set the connection should
 * carry: types in a fixed order, codes sorted, each once, types without codes left out.
 */
export function unionOf(demands: Iterable<{ type: FeedType; codes: readonly MarketCode[] }>): Subscription[] {
  const byType = new Map<FeedType, Set<MarketCode>>();
  for (const d of demands) {
    if (d.codes.length === 0) continue;
    let codes = byType.get(d.type);
    if (codes === undefined) byType.set(d.type, (codes = new Set()));
    for (const c of d.codes) codes.add(c);
  }
  const out: Subscription[] = [];
  for (const type of TYPE_ORDER) {
    const codes = byType.get(type);
    if (codes !== undefined) out.push({ type, codes: [...codes].sort() });
  }
  return out;
}

/** Two subscription sets are the same (as {@link unionOf} orders them). */
export function sameSubscriptions(a: readonly Subscription[], b: readonly Subscription[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined || x.type !== y.type || x.codes.length !== y.codes.length) return false;
    for (let j = 0; j < x.codes.length; j++) if (x.codes[j] !== y.codes[j]) return false;
  }
  return true;
}
