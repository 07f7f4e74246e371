import type { MarketCode, Trade } from '../../upbit/types.js';
import { Slice, type SliceOptions, type SliceSource } from './slice.js';

export interface TradeTapesOptions extends SliceOptions {
  /** Trades kept per market, the newest. @default 200 */
  length?: number;
}

/** One market's tape: a ring of the newest trades and the trade numbers it holds. */
interface Tape {
  ring: Array<Trade | undefined>;
  /** Index of the oldest trade. */
  head: number;
  size: number;
  ids: Set<number>;
}

/**
 * The recent trades of each demanded market, bounded. A trade is counted once by its
 * `sequential_id` (https://docs.upbit.com/kr/reference/websocket-trade: unique per trade): the
 * snapshot Upbit sends after every (re)subscription repeats the latest trade, which must not
 * appear twice on the tape. The snapshot is newest first.
 */
export class TradeTapes extends Slice<readonly Trade[]> {
  readonly #length: number;
  readonly #live = new Map<MarketCode, Tape>();

  constructor(options: TradeTapesOptions = {}) {
    super(options);
    const length = options.length ?? 200;
    if (!Number.isInteger(length) || length < 1) throw new RangeError(`length must be a positive integer, got ${length}`);
    this.#length = length;
  }

  /** Add a trade; O(1). Returns false for a trade the tape already holds. */
  apply(trade: Trade): boolean {
    let tape = this.#live.get(trade.market);
    if (tape === undefined) this.#live.set(trade.market, (tape = { ring: new Array<Trade | undefined>(this.#length), head: 0, size: 0, ids: new Set() }));
    if (tape.ids.has(trade.sequentialId)) return false;
    const n = tape.ring.length;
    if (tape.size === n) {
      const evicted = tape.ring[tape.head];
      if (evicted !== undefined) tape.ids.delete(evicted.sequentialId);
      tape.ring[tape.head] = trade;
      tape.head = (tape.head + 1) % n;
    } else {
      tape.ring[(tape.head + tape.size) % n] = trade;
      tape.size += 1;
    }
    tape.ids.add(trade.sequentialId);
    this.touch(trade.market);
    return true;
  }

  /** The tape of `market`, newest first, as last published (the same array until it changes). */
  select(market: MarketCode): readonly Trade[] | undefined {
    return this.selectKey(market);
  }

  source(market: MarketCode): SliceSource<readonly Trade[]> {
    return this.sourceOf(market);
  }

  retain(markets: ReadonlySet<MarketCode>): void {
    this.retainWhere((m) => markets.has(m));
  }

  protected build(market: string): readonly Trade[] | undefined {
    const tape = this.#live.get(market);
    if (tape === undefined) return undefined;
    const n = tape.ring.length;
    const out: Trade[] = [];
    for (let i = tape.size - 1; i >= 0; i--) {
      const t = tape.ring[(tape.head + i) % n];
      if (t !== undefined) out.push(t);
    }
    return out;
  }

  protected forget(market: string): void {
    this.#live.delete(market);
  }

  protected liveKeys(): Iterable<string> {
    return this.#live.keys();
  }
}
