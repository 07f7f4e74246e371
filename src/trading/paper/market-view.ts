/**
 * The paper exchange's view of the market: the order book and instrument tick fetched from a
 * quotation REST endpoint (Upbit's or the simulator's) just before an order is placed, served
 * to the matching engine through its synchronous `MarketView`.
 */
import type { Decimal } from 'decimal.js';

import { bookSides, type BookLevel, type BookSides, type MarketView } from '../../exchange/index.js';
import type { CallOptions, UpbitRestClient } from '../../upbit/rest/index.js';
import { BOOK_DEPTH } from '../../upbit/trading-rules.js';
import { tickSize } from '../rules.js';

/** Levels per side of the book a market order may walk (Upbit's maximum). */
const BOOK_LEVELS = BOOK_DEPTH;

type Quotes = Pick<UpbitRestClient, 'orderbook' | 'instruments'>;

export class LiveMarketView implements MarketView {
  private readonly ticks = new Map<string, Decimal>();
  private readonly books = new Map<string, BookSides>();
  private readonly last = new Map<string, Decimal>();

  constructor(private readonly quotes: Quotes) {}

  /**
   * Fetch the current book of `market` (and its tick, once). A market the quotation endpoint
   * does not know rejects with its error (a `UserActionError` naming the market).
   */
  async refresh(market: string, options: CallOptions = {}): Promise<void> {
    await this.loadTick(market, options);
    const [snapshot] = await this.quotes.orderbook([market], BOOK_LEVELS, options);
    if (snapshot !== undefined && snapshot.market === market) this.books.set(market, bookSides(snapshot.units));
  }

  /** The market's tick, cached for the venue's lifetime (it changes only with price bands, which `tickSize` covers). */
  async loadTick(market: string, options: CallOptions = {}): Promise<void> {
    if (this.ticks.has(market)) return;
    for (const i of await this.quotes.instruments([market], options)) this.ticks.set(i.market, i.tickSize);
  }

  /** Record a market trade price (for fills' `trend`). */
  traded(market: string, price: Decimal): void {
    this.last.set(market, price);
  }

  /** Whether `lastPrice` can answer. */
  hasPrice(market: string): boolean {
    const book = this.books.get(market);
    return this.last.has(market) || (book !== undefined && (book.bids.length > 0 || book.asks.length > 0));
  }

  has(market: string): boolean {
    return this.ticks.has(market) || this.books.has(market);
  }

  book(market: string): { asks: readonly BookLevel[]; bids: readonly BookLevel[] } {
    return this.books.get(market) ?? { asks: [], bids: [] };
  }

  lastPrice(market: string): Decimal {
    const known = this.last.get(market);
    if (known !== undefined) return known;
    const book = this.books.get(market);
    const best = book?.bids[0]?.price ?? book?.asks[0]?.price;
    if (best !== undefined) return best;
    // The venue records a trade's price before feeding it to the engine, so a fill (whose
    // `trend` reads this) always finds one.
    throw new Error(`No price is known yet for ${market}.`);
  }

  tickSize(market: string, price: Decimal): Decimal {
    return tickSize(market, price, this.ticks);
  }
}
