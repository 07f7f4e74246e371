import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseMarketsOption } from '../../src/cli/main.js';
import { parseMarketArg } from '../../src/cli/trade-commands.js';
import { marketRules } from '../../src/exchange/rules.js';
import { parseScriptCsv } from '../../src/sim/scripted-prices.js';
import { marketParts } from '../../src/trading/rules.js';
import { isMarketCode, notAMarketCode, parseMarketCode, splitMarketCode } from '../../src/upbit/market-code.js';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');
const sources = (d: string): string[] =>
  readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(d, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(d, e.name)] : []));

const GOOD = ['KRW-BTC', 'BTC-XRP', 'USDT-SOL', 'KRW-1INCH'];
// Quotes Upbit has no market for, no dash, lower case as Upbit would never write it, empty parts.
const BAD = ['BTC', 'ETH-BTC', 'KRWBTC', 'KRW-', '-BTC', 'KRW-BTC-X', 'KRW_BTC', 'XX-BTC', 'KRW-ABCDEFGHIJKLMNOP'];

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('expected a refusal');
}

describe('market codes: one definition', () => {
  it('accepts Upbit codes and splits them into quote and base', () => {
    for (const code of GOOD) expect(isMarketCode(code), code).toBe(true);
    expect(splitMarketCode('KRW-1INCH')).toEqual({ market: 'KRW-1INCH', quote: 'KRW', base: '1INCH' });
    expect(parseMarketCode(' krw-btc ')).toBe('KRW-BTC');
  });

  it('every place that reads a market code refuses the same codes', () => {
    for (const code of BAD) {
      expect(isMarketCode(code), code).toBe(false);
      expect(marketParts(code), `trading ${code}`).toBeNull();
      expect(marketRules(code), `simulator ${code}`).toBeUndefined();
      expect(() => parseMarketArg(code), `buy ${code}`).toThrow(InvalidArgumentError);
      expect(() => parseMarketsOption(code), `--markets ${code}`).toThrow(InvalidArgumentError);
      expect(() => parseScriptCsv(`0,${code},1\n`, 'p.csv'), `script ${code}`).toThrow();
    }
    for (const code of GOOD) {
      expect(marketParts(code), `trading ${code}`).not.toBeNull();
      expect(parseMarketArg(code)).toBe(code);
    }
  });

  it('says the same sentence for the same mistake, wherever it was typed', () => {
    const said = notAMarketCode('BTC');
    expect(messageOf(() => parseMarketArg('BTC'))).toBe(said);
    expect(messageOf(() => parseMarketsOption('BTC'))).toBe(said);
    expect(messageOf(() => parseScriptCsv('0,BTC,1\n', 'p.csv'))).toBe(`p.csv line 1, field market: ${said}`);
  });

  it('has no second regex for QUOTE-BASE anywhere else under src/', () => {
    // e.g. /^[A-Z]{2,10}-[A-Z0-9]{1,15}$/ or /^([A-Z0-9]+)-([A-Z0-9]+)$/, as there were.
    const second = /\[A-Z[^\]]*\][^-\s]*-\(?\[A-Z/;
    const found = sources(SRC)
      .filter((f) => path.relative(SRC, f) !== path.join('upbit', 'market-code.ts'))
      .flatMap((f) => readFileSync(f, 'utf8').split('\n').flatMap((line, i) => (second.test(line) ? [`${path.relative(SRC, f)}:${i + 1}: ${line.trim()}`] : [])));
    expect(found).toEqual([]);
    expect(second.test('const MARKET = /^[A-Z]{2,10}-[A-Z0-9]{1,15}$/;')).toBe(true);
    expect(second.test('const MARKET_CODE = /^([A-Z0-9]+)-([A-Z0-9]+)$/;')).toBe(true);
  });
});
