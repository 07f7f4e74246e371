/**
 * What a durable save of the simulator's state costs (issue 7, point 2): the exchange saves
 * its whole state on every change (an order, a fill, a cancel), never on a price tick that
 * changes nothing. Places orders on an exchange whose `persist` writes the state file the way
 * `upbit-tui sim --state` does (snapshot, JSON, temporary file, fsync, rename, fsync of the
 * folder), and prints the time per order at a few state sizes.
 *
 *   npx tsx bench/state-save.ts [folder]     (default: a temporary folder)
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Decimal } from 'decimal.js';

import { createStatePersister } from '../src/app/sim-state.js';
import { silentLogger } from '../src/runtime/logger.js';
import { Exchange } from '../src/exchange/index.js';
import type { BookLevel, MarketView } from '../src/exchange/index.js';

const market: MarketView = {
  has: (m) => m === 'KRW-BTC',
  book: (): { asks: BookLevel[]; bids: BookLevel[] } => ({
    asks: [{ price: new Decimal(100_001_000), size: new Decimal(10) }],
    bids: [{ price: new Decimal(99_999_000), size: new Decimal(10) }],
  }),
  lastPrice: () => new Decimal(100_000_000),
  tickSize: () => new Decimal(1000),
};

const folder = process.argv[2] ?? mkdtempSync(path.join(tmpdir(), 'upbit-state-bench-'));
const file = path.join(folder, 'state.json');
const persister = createStatePersister({ file, logger: silentLogger, warn: () => undefined });
let saveMs = 0;
let saves = 0;
const exchange = new Exchange({
  market,
  persist: (state) => {
    const t = performance.now();
    persister.persist(state);
    saveMs += performance.now() - t;
    saves++;
  },
});
exchange.createAccount('bench', 'bench-secret', '1000000000000');

let placed = 0;
const place = (n: number): { perOrderMs: number; perSaveMs: number } => {
  saveMs = 0;
  saves = 0;
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    // Resting bids far below the market: one change (and one save) each.
    exchange.place('bench', { market: 'KRW-BTC', side: 'bid', ord_type: 'limit', price: '50000000', volume: '0.0002', identifier: `bench-${++placed}` });
  }
  return { perOrderMs: (performance.now() - t) / n, perSaveMs: saveMs / saves };
};

console.log(`folder ${folder}`);
for (const [orders, batch] of [[0, 100], [1_000, 50], [5_000, 20]] as const) {
  while (placed < orders) place(Math.min(500, orders - placed));
  const r = place(batch);
  const kb = statSync(file).size / 1024;
  console.log(`${String(orders).padStart(5)} orders in the state (file ${kb.toFixed(0).padStart(5)} KB after ${batch} more): ${r.perOrderMs.toFixed(2)} ms per order, ${r.perSaveMs.toFixed(2)} ms of it the save`);
}
// A tick that fills nothing saves nothing.
saves = 0;
const t = performance.now();
for (let i = 0; i < 10_000; i++) exchange.onMarketTrade('KRW-BTC', new Decimal(100_000_000), new Decimal('0.001'));
console.log(`10,000 price ticks that fill nothing: ${((performance.now() - t) / 10_000).toFixed(4)} ms each, ${saves} saves`);
exchange.close();
if (process.argv[2] === undefined) rmSync(folder, { recursive: true, force: true });
