/**
 * The recent trade prices of every row of the market store, for the sparkline: one ring of
 * `length` prices per row, all of them runs of one `Float64Array`. One array for every row,
 * rather than one per row, because a tick then writes its price without first loading a ring
 * object of its own: over the loopback, with 200 markets taking turns, that object is out of
 * the cache at every tick (docs/performance.md, "After L"). A ring's position is kept by its
 * holder (the store's row is its own {@link PriceRing}), so there is no ring object at all.
 */
export interface PriceRing {
  /** Where its run starts in the shared array ({@link PriceRings.take}). */
  base: number;
  /** The oldest price's position in the run. */
  head: number;
  /** How many prices it holds (at most `length`). */
  size: number;
}

export class PriceRings {
  /** Prices a ring keeps. */
  readonly length: number;
  #data: Float64Array;
  /** The first run never taken. */
  #next = 0;
  /** Runs given back, to be taken again. */
  readonly #free: number[] = [];

  /** `rows`: how many rings to make room for at once (more grow the array). */
  constructor(length: number, rows: number) {
    if (!Number.isInteger(length) || length < 1) throw new RangeError(`a price ring holds a positive whole number of prices, not ${length}`);
    this.length = length;
    this.#data = new Float64Array(length * Math.max(1, rows));
  }

  /** The base of a new ring's run (its holder starts it with `head` and `size` 0). */
  take(): number {
    let base = this.#free.pop();
    if (base === undefined) {
      base = this.#next;
      this.#next += this.length;
      if (this.#next > this.#data.length) {
        const grown = new Float64Array(Math.max(this.#next, this.#data.length * 2));
        grown.set(this.#data);
        this.#data = grown;
      }
    }
    return base;
  }

  /** Its run is free for another ring; `ring` must not be used again. */
  give(ring: PriceRing): void {
    this.#free.push(ring.base);
  }

  /** Append a price, dropping the oldest when full; no division. */
  push(ring: PriceRing, price: number): void {
    const cap = this.length;
    const head = ring.head;
    const size = ring.size;
    if (size < cap) {
      this.#data[ring.base + (head + size < cap ? head + size : head + size - cap)] = price;
      ring.size = size + 1;
    } else {
      this.#data[ring.base + head] = price;
      ring.head = head + 1 < cap ? head + 1 : 0;
    }
  }

  /**
   * The ring's prices, oldest first, as a new array (a published one is never mutated), read in
   * its two runs, head to the end and then from the start, without a division per element.
   */
  history(ring: PriceRing): number[] {
    const data = this.#data;
    const { base, head, size } = ring;
    const out = new Array<number>(size);
    const firstRun = Math.min(size, this.length - head);
    for (let i = 0; i < firstRun; i += 1) out[i] = data[base + head + i] ?? 0;
    for (let i = firstRun; i < size; i += 1) out[i] = data[base + i - firstRun] ?? 0;
    return out;
  }
}
