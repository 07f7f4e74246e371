import type { AskBid, Change } from '../../upbit/types.js';

/** One trade as the market-data layer keeps it: the engine's print plus the market around it. */
export interface TapeTrade {
  code: string;
  price: number;
  volume: number;
  askBid: AskBid;
  /** Market time of the trade (ms). */
  timestamp: number;
  /** The engine's `sequentialId` (0 for the trade the market opened with). */
  sequentialId: number;
  /** Previous close (00:00 UTC basis) when the trade printed. */
  prevClosingPrice: number;
  change: Change;
  /** `trade price − previous close`, exact (the WebSocket sends its absolute value). */
  signedChangePrice: number;
  /** The book right after the trade. */
  bestAskPrice: number;
  bestAskSize: number;
  bestBidPrice: number;
  bestBidSize: number;
}

/** The most recent trades of one market, bounded: a ring that overwrites the oldest. */
export class TradeTape {
  private readonly ring: TapeTrade[] = [];
  private next = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`A trade tape needs room for at least one trade, not ${capacity}.`);
  }

  get size(): number {
    return this.ring.length;
  }

  push(trade: TapeTrade): void {
    if (this.ring.length < this.capacity) this.ring.push(trade);
    else this.ring[this.next] = trade;
    this.next = (this.next + 1) % this.capacity;
  }

  latest(): TapeTrade | undefined {
    return this.ring.length === 0 ? undefined : this.ring[(this.next - 1 + this.capacity) % this.capacity];
  }

  /** Newest first. */
  *newestFirst(): Generator<TapeTrade> {
    const n = this.ring.length;
    for (let i = 1; i <= n; i++) {
      const trade = this.ring[(this.next - i + this.capacity * 2) % this.capacity];
      if (trade !== undefined) yield trade;
    }
  }
}
