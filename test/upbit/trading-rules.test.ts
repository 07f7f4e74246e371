/**
 * Upbit's rules are one table (src/upbit/trading-rules.ts): the client's rules, the exchange's
 * and the simulator's grid read the same figures, and no copy of them is left anywhere else.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { marketRules } from '../../src/exchange/rules.js';
import { tickAt } from '../../src/sim/market-data/grid.js';
import { Dec } from '../../src/sim/price-grid.js';
import { tickSize, tradingRules } from '../../src/trading/rules.js';
import { KRW_TICK_BANDS, UPBIT_RULES } from '../../src/upbit/trading-rules.js';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');
const TABLE = path.join(SRC, 'upbit', 'trading-rules.ts');
const sources = (d: string): string[] =>
  readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(d, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(d, e.name)] : []));

describe("Upbit's rules: one table", () => {
  it('gives the client and the exchange the same minimum, maximum and fee on every market', () => {
    for (const quote of ['KRW', 'BTC', 'USDT'] as const) {
      const market = `${quote}-XRP`;
      const client = tradingRules(market);
      const exchange = marketRules(market);
      expect(exchange, market).toBeDefined();
      expect([client.bidMinTotal?.toFixed(), client.askMinTotal?.toFixed(), client.maxTotal?.toFixed() ?? null, client.bidFee.toFixed(), client.askFee.toFixed()], market).toEqual([
        exchange?.minTotal.toFixed(),
        exchange?.minTotal.toFixed(),
        exchange?.maxTotal?.toFixed() ?? null,
        exchange?.feeRate.toFixed(),
        exchange?.feeRate.toFixed(),
      ]);
    }
  });

  it("gives the client and the simulator's grid the same KRW tick in every band, at its floor and just under it", () => {
    for (const [floor] of KRW_TICK_BANDS) {
      for (const price of [floor, floor * 1.5, floor * 0.999]) {
        expect(tickSize('KRW-BTC', price).toFixed(), String(price)).toBe(tickAt(new Dec(price)).toFixed());
      }
    }
  });

  it('leaves no copy of its figures anywhere else under src/', () => {
    // The table's distinctive figures as string literals: a fee, a minimum, a maximum, a tick band row.
    const figures = new Set<string>();
    for (const r of Object.values(UPBIT_RULES)) {
      figures.add(r.fee).add(r.minTotal);
      if (r.maxTotal !== null) figures.add(r.maxTotal);
    }
    const literals = [...figures].map((f) => new RegExp(`['"\`]${f.replace('.', '\\.')}['"\`]`));
    const bandRow = /\[\s*[\d_.]+\s*,\s*['"]0?\.?\d+['"]\s*\]/;
    const copies: string[] = [];
    for (const file of sources(SRC)) {
      if (file === TABLE) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (line.trim().startsWith('*') || line.trim().startsWith('//')) return;
          if (literals.some((re) => re.test(line)) || bandRow.test(line)) copies.push(`${path.relative(SRC, file)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(copies).toEqual([]);
  });
});
