import type { MarketCode, Orderbook } from '../../upbit/types.js';
import { Slice, type SliceOptions, type SliceSource } from './slice.js';

/**
 * The latest whole book of each demanded market. Upbit sends the whole top-N every time, never
 * a delta (https://docs.upbit.com/kr/reference/websocket-orderbook), and the parsed book is
 * immutable, so the snapshot is the newest book itself: applying is one map write.
 */
export class OrderBooks extends Slice<Orderbook> {
  readonly #live = new Map<MarketCode, Orderbook>();

  constructor(options: SliceOptions = {}) {
    super(options);
  }

  apply(book: Orderbook): void {
    this.#live.set(book.market, book);
    this.touch(book.market);
  }

  /** The book of `market` as last published (the same object until a newer one is published). */
  select(market: MarketCode): Orderbook | undefined {
    return this.selectKey(market);
  }

  source(market: MarketCode): SliceSource<Orderbook> {
    return this.sourceOf(market);
  }

  /** Forget the books of markets no longer demanded, so no panel shows a frozen book as current. */
  retain(markets: ReadonlySet<MarketCode>): void {
    this.retainWhere((m) => markets.has(m));
  }

  protected build(market: string): Orderbook | undefined {
    return this.#live.get(market);
  }

  protected forget(market: string): void {
    this.#live.delete(market);
  }

  protected liveKeys(): Iterable<string> {
    return this.#live.keys();
  }
}
