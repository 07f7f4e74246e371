/**
 * Paper orders rest while no upbit-tui runs: a limit bid placed from a script at 9:00 must be
 * filled at 9:05 if the market traded through it at 9:03, even though the next command only
 * runs at noon. On opening, the wallet replays the market's candles since it last saw each
 * market with open orders: a candle's low trades through the bids at or above it, its high
 * through the asks at or below it, each up to the candle's volume, as makers at their own
 * price (the engine's `onMarketTrade`, as for a live trade).
 *
 * Conservative by construction: only candles that start at or after what was already seen
 * (and after the order was placed) count, so a fill is never earlier than it could have been
 * and never counted twice; at worst it comes one bucket late. Upbit serves 200 candles a
 * call, so the bucket grows with the gap: minutes up to 200 minutes, hours up to 200 hours,
 * days beyond (200 days at most).
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import { writeFileAtomically } from '../../runtime/atomic-file.js';
import type { CallOptions, Candle, CandleUnit } from '../../upbit/rest/index.js';
import type { Decimal } from '../decimal.js';

const MINUTE_MS = 60_000;
const CANDLES_PER_CALL = 200;

export interface CandleSpan {
  unit: CandleUnit;
  unitMs: number;
}

/** The finest bucket whose 200 candles cover `gapMs`. */
export function candleSpanFor(gapMs: number): CandleSpan {
  if (gapMs <= CANDLES_PER_CALL * MINUTE_MS) return { unit: 1, unitMs: MINUTE_MS };
  if (gapMs <= CANDLES_PER_CALL * 60 * MINUTE_MS) return { unit: 60, unitMs: 60 * MINUTE_MS };
  return { unit: 'days', unitMs: 24 * 60 * MINUTE_MS };
}

export interface CatchUpInput {
  /** Per market with open orders: the time from which its trades have not been seen. */
  from: ReadonlyMap<string, number>;
  now: number;
  candles: (market: string, unit: CandleUnit, count: number, options?: CallOptions) => Promise<Candle[]>;
  /** A trade through the market's resting orders (the engine's `onMarketTrade`). */
  trade: (market: string, price: Decimal, volume: Decimal, at: number) => void;
  signal?: AbortSignal;
}

/**
 * Replay each market's candles since its `from`. Resolves with the time each market is now
 * seen until (absent: nothing to replay yet). A market whose candles cannot be read rejects
 * the whole call after the markets before it were applied; their times are in `error.seen`.
 */
export async function catchUp(input: CatchUpInput): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (const [market, from] of input.from) {
    const gap = input.now - from;
    if (gap < MINUTE_MS) continue; // no whole candle yet
    const span = candleSpanFor(gap);
    let candles: Candle[];
    try {
      candles = await input.candles(market, span.unit, CANDLES_PER_CALL, { signal: input.signal });
    } catch (error) {
      throw new CatchUpError(market, seen, error);
    }
    let until: number | undefined;
    for (const c of [...candles].sort((a, b) => a.start - b.start)) {
      if (c.market !== market || c.start < from || c.start > input.now || c.volume.isZero()) continue;
      input.trade(market, c.low, c.volume, c.start);
      input.trade(market, c.high, c.volume, c.start);
      until = Math.min(c.start + span.unitMs, input.now);
    }
    if (until !== undefined) seen.set(market, until);
  }
  return seen;
}

export class CatchUpError extends Error {
  override name = 'CatchUpError';
  constructor(
    readonly market: string,
    readonly seen: ReadonlyMap<string, number>,
    cause: unknown,
  ) {
    super(`Could not read the candles of ${market} to fill paper orders that rested while upbit-tui was closed; they are looked at again on the next start.`, { cause });
  }
}

/** `<wallet>.seen.json`: per market, the time up to which its trades were applied to the wallet. */
export function seenPath(walletFile: string): string {
  return walletFile.replace(/\.json$/, '') + '.seen.json';
}

/** The seen times, or an empty map when the file is missing or unreadable (the replay then starts at each order's placement). */
export async function readSeen(file: string): Promise<Map<string, number>> {
  try {
    const v = JSON.parse(await readFile(file, 'utf8')) as unknown;
    const markets = typeof v === 'object' && v !== null && 'markets' in v ? v.markets : undefined;
    if (typeof markets !== 'object' || markets === null) return new Map();
    return new Map(Object.entries(markets).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])));
  } catch {
    return new Map();
  }
}

export async function writeSeen(file: string, seen: ReadonlyMap<string, number>): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomically(file, `${JSON.stringify({ version: 1, markets: Object.fromEntries(seen) })}\n`);
}
