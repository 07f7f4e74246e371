import { readFile } from 'node:fs/promises';

import { isMarketCode, notAMarketCode } from '../upbit/market-code.js';
import type { AskBid } from '../upbit/types.js';
import type { ProcessSpec, ProcessTrade } from './price-process.js';
import { Dec, VOLUME_DECIMALS, snapToKrwGrid } from './price-grid.js';

/**
 * A scripted price path: for each market, the trades it prints, at fixed times.
 *
 * JSON — market code → `[offsetMs, price]` or `[offsetMs, price, volume]` points:
 *
 * ```json
 * { "KRW-BTC": [[0, 130000000], [1000, 129500000], [5000, 128000000, 0.01]] }
 * ```
 *
 * CSV — one trade per line, an optional header, `#` comments and blank lines allowed:
 *
 * ```csv
 * offset_ms,market,price,volume
 * 0,KRW-BTC,130000000
 * 1000,KRW-BTC,129500000,0.01
 * ```
 *
 * `offsetMs` counts from the start of the simulator (its engine's clock) and must not go
 * down within a market; prices are KRW, snapped to the nearest tick; volume defaults to a
 * typical trade of the market. A scripted market opens at its first price, prints exactly
 * these trades (nothing random), and stays quiet after the last one. Markets without a
 * script keep the random process.
 */
export type SimScript = Readonly<Record<string, ReadonlyArray<readonly number[]>>>;

export interface ScriptPoint {
  offsetMs: number;
  price: number;
  volume?: number;
}

/** A validated script: market code → points in time order. */
export type ParsedScript = ReadonlyMap<string, readonly ScriptPoint[]>;

/** A script that cannot be used; the message names the file (or option), the place and the fix. */
export class ScriptError extends Error {
  override name = 'ScriptError';
}

const CSV_HEADER = ['offset_ms', 'market', 'price', 'volume'];

/** Read and parse a script file: CSV if it ends in `.csv`, JSON otherwise. */
export async function loadScriptFile(file: string): Promise<ParsedScript> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ScriptError(`Cannot read the price script ${file} (${reason}).`, { cause: error });
  }
  return file.toLowerCase().endsWith('.csv') ? parseScriptCsv(text, file) : parseScriptJsonText(text, file);
}

export function parseScriptJsonText(text: string, source: string): ParsedScript {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ScriptError(`${source} is not valid JSON (${reason}). A price script looks like {"KRW-BTC": [[0, 130000000], [1000, 129500000]]}; name CSV files *.csv.`, { cause: error });
  }
  return parseScript(value, source);
}

/** Validate the JSON form (already parsed, or given in process as `SimOptions.script`). */
export function parseScript(value: unknown, source: string): ParsedScript {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ScriptError(`${source}: the script must be an object of market code → points, e.g. {"KRW-BTC": [[0, 130000000], [1000, 129500000]]}.`);
  }
  const out = new Map<string, ScriptPoint[]>();
  for (const [market, points] of Object.entries(value)) {
    checkMarket(market, `${source}: key ${JSON.stringify(market)}`);
    if (!Array.isArray(points) || points.length === 0) {
      throw new ScriptError(`${source}: ${market} must be a non-empty array of [offsetMs, price] or [offsetMs, price, volume] points.`);
    }
    const list: ScriptPoint[] = [];
    points.forEach((point: unknown, i) => {
      const where = `${source}: ${market}[${i}]`;
      if (!Array.isArray(point) || point.length < 2 || point.length > 3) {
        throw new ScriptError(`${where} must be [offsetMs, price] or [offsetMs, price, volume], not ${JSON.stringify(point)}.`);
      }
      const [offset, price, volume] = point as unknown[];
      list.push(makePoint(where, offset, price, volume, list.at(-1)));
    });
    out.set(market, list);
  }
  if (out.size === 0) throw new ScriptError(`${source}: the script names no market; add e.g. "KRW-BTC": [[0, 130000000]].`);
  return out;
}

export function parseScriptCsv(text: string, source: string): ParsedScript {
  const out = new Map<string, ScriptPoint[]>();
  let sawData = false;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(',').map((f) => f.trim());
    const at = `${source} line ${index + 1}`;
    if (!sawData && fields[0] === CSV_HEADER[0]) {
      const ok = fields.length >= 3 && fields.length <= 4 && fields.every((f, i) => f === CSV_HEADER[i]);
      if (!ok) throw new ScriptError(`${at}: the header must be offset_ms,market,price or offset_ms,market,price,volume.`);
      return;
    }
    sawData = true;
    if (fields.length < 3 || fields.length > 4) {
      throw new ScriptError(`${at}: expected offset_ms,market,price[,volume], found ${fields.length} field${fields.length === 1 ? '' : 's'}.`);
    }
    const [offset = '', market = '', price = '', volume] = fields;
    checkMarket(market, `${at}, field market`);
    let list = out.get(market);
    if (list === undefined) out.set(market, (list = []));
    list.push(makePoint(`${at}`, csvNumber(offset, `${at}, field offset_ms`), csvNumber(price, `${at}, field price`), volume === undefined || volume === '' ? undefined : csvNumber(volume, `${at}, field volume`), list.at(-1)));
  });
  if (out.size === 0) throw new ScriptError(`${source}: no trades; add lines like 0,KRW-BTC,130000000 (offset_ms,market,price).`);
  return out;
}

function csvNumber(text: string, where: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) throw new ScriptError(`${where}: ${JSON.stringify(text)} is not a number.`);
  return Number(text);
}

function checkMarket(market: string, where: string): void {
  if (!isMarketCode(market)) throw new ScriptError(`${where}: ${notAMarketCode(market)}`);
}

function makePoint(where: string, offset: unknown, price: unknown, volume: unknown, previous: ScriptPoint | undefined): ScriptPoint {
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
    throw new ScriptError(`${where}: offset ${JSON.stringify(offset)} must be a whole number of milliseconds ≥ 0 since the start.`);
  }
  if (previous !== undefined && offset < previous.offsetMs) {
    throw new ScriptError(`${where}: offset ${offset} goes back in time (the point before is at ${previous.offsetMs}); list each market's points in time order.`);
  }
  if (typeof price !== 'number' || !Number.isFinite(price) || price <= 0) {
    throw new ScriptError(`${where}: price ${JSON.stringify(price)} must be a positive number of KRW.`);
  }
  if (volume !== undefined && (typeof volume !== 'number' || !Number.isFinite(volume) || volume <= 0)) {
    throw new ScriptError(`${where}: volume ${JSON.stringify(volume)} must be a positive number.`);
  }
  return volume === undefined ? { offsetMs: offset, price } : { offsetMs: offset, price, volume };
}

const MIN_VOLUME = new Dec(10).pow(-VOLUME_DECIMALS);

/**
 * A market's scripted trades as a trade source for the engine, in place of its
 * {@link PriceProcess}: the first `next()` is due `points[0].offsetMs` after the start, each
 * later one the difference of offsets after the one before; undefined once the script is over.
 */
export class ScriptedPath {
  private index = 0;
  private lastPrice: Dec;
  private lastSide: AskBid = 'BID';
  private readonly typicalNotional: number;

  constructor(
    private readonly points: readonly ScriptPoint[],
    spec: ProcessSpec,
  ) {
    const first = points[0];
    if (first === undefined) throw new Error('BUG: a scripted market without points');
    this.lastPrice = snapToKrwGrid(first.price, 'nearest');
    this.typicalNotional = spec.turnover24h / (spec.tradesPerSecond * 86_400);
  }

  /** The opening price: the first scripted one, on the grid. */
  currentPrice(): Dec {
    return snapToKrwGrid(this.points[0]?.price ?? 1, 'nearest');
  }

  next(): ProcessTrade | undefined {
    const point = this.points[this.index];
    if (point === undefined) return undefined;
    const before = this.points[this.index - 1];
    this.index++;
    const price = snapToKrwGrid(point.price, 'nearest');
    // A rise is a buyer lifting the ask, a fall a seller hitting the bid; flat keeps the side.
    const askBid: AskBid = price.gt(this.lastPrice) ? 'BID' : price.lt(this.lastPrice) ? 'ASK' : this.lastSide;
    this.lastPrice = price;
    this.lastSide = askBid;
    const volume =
      point.volume !== undefined
        ? Dec.max(MIN_VOLUME, new Dec(point.volume).toDecimalPlaces(VOLUME_DECIMALS, Dec.ROUND_DOWN))
        : Dec.max(MIN_VOLUME, new Dec(this.typicalNotional).div(price).toDecimalPlaces(VOLUME_DECIMALS, Dec.ROUND_DOWN));
    return { dtMs: point.offsetMs - (before?.offsetMs ?? 0), price, volume, askBid };
  }
}
