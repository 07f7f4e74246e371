import type { Logger } from '../runtime/logger.js';
import { silentLogger } from '../runtime/logger.js';
import type { AskBid, StreamType } from '../upbit/types.js';
import type { TickerWire } from '../upbit/wire.js';
import type { MarketSpec, SimMarket } from './catalog.js';
import { selectMarkets } from './catalog.js';
import { MarketStats } from './market-stats.js';
import type { ProcessTrade } from './price-process.js';
import { PriceProcess } from './price-process.js';
import { createRng, randomSeed } from './random.js';

/** One simulated trade, as listeners see it. Prices are exact KRW grid values. */
export interface SimTrade {
  code: string;
  price: number;
  volume: number;
  askBid: AskBid;
  /** Market time of the trade (ms since epoch, from the engine's clock). */
  timestamp: number;
  /** Increases by one with every trade of the engine, across markets. */
  sequentialId: number;
}

export type TradeListener = (trade: SimTrade) => void;

export interface SimEngineOptions {
  /**
   * Seed of the price process: the same seed (and market list) gives the same trades.
   * @default a random seed, readable afterwards as `engine.seed`
   */
  seed?: number;
  /**
   * Catalog codes to simulate, in this order.
   * @default every market in the catalog
   */
  markets?: readonly string[];
  /**
   * Market clock in ms since epoch; trade timestamps and day boundaries come from it.
   * @default Date.now
   */
  now?: () => number;
  /** @default silentLogger */
  logger?: Logger;
}

/** The simulated market: a seeded trade stream per market plus ticker snapshots. */
export interface SimEngine {
  readonly seed: number;
  readonly markets: readonly SimMarket[];
  has(code: string): boolean;
  /** The ticker of a simulated market as of now, or undefined for a code it does not list. */
  ticker(code: string, streamType?: StreamType): TickerWire | undefined;
  /** Call `listener` after every trade (statistics already updated). Returns the release. */
  onTrade(listener: TradeListener): () => void;
  /** Produce the next trade now, whatever its scheduled time; for tools and tests that drive the engine directly. */
  step(): SimTrade;
  /**
   * Produce every trade scheduled at or before `now()`; returns how many. The timer does
   * this by itself; call it after moving an injected clock to see the effect at once.
   */
  catchUp(): number;
  /** Start the timer loop (idempotent). */
  start(): void;
  /** Stop the timer loop (idempotent); the engine can be started again. */
  stop(): void;
}

interface MarketSlot {
  spec: MarketSpec;
  process: PriceProcess;
  stats: MarketStats;
  /** The already drawn next trade and its scheduled time. */
  pending: ProcessTrade;
  dueAt: number;
}

/** The timer never sleeps longer than this, so a moved injected clock is noticed soon. */
const MAX_SLEEP_MS = 1_000;
/** Further behind than this (a suspended laptop, a clock jump), skip ahead instead of replaying. */
const MAX_LAG_MS = 60_000;

export function createSimEngine(options: SimEngineOptions = {}): SimEngine {
  const seed = options.seed ?? randomSeed();
  const now = options.now ?? Date.now;
  const logger = (options.logger ?? silentLogger).child({ component: 'sim-engine' });
  const start = now();
  const slots: MarketSlot[] = selectMarkets(options.markets).map((spec) => {
    // One stream per market, so a market's trades do not depend on which others run.
    const rng = createRng(mixSeed(seed, spec.code));
    const process = new PriceProcess(spec, rng);
    const stats = new MarketStats(spec, rng, process.currentPrice(), start);
    const pending = process.next();
    return { spec, process, stats, pending, dueAt: start + pending.dtMs };
  });
  const byCode = new Map(slots.map((s) => [s.spec.code, s]));
  const listeners = new Set<TradeListener>();
  let sequentialId = 0;
  let timer: NodeJS.Timeout | undefined;

  const earliest = (): MarketSlot => {
    let best = slots[0];
    for (const slot of slots) if (best === undefined || slot.dueAt < best.dueAt) best = slot;
    if (best === undefined) throw new Error('BUG: the simulator engine has no markets');
    return best;
  };

  const emit = (slot: MarketSlot): SimTrade => {
    const { pending } = slot;
    const timestamp = Math.floor(slot.dueAt);
    slot.stats.apply({ price: pending.price, volume: pending.volume, askBid: pending.askBid, timestamp });
    slot.pending = slot.process.next();
    slot.dueAt += slot.pending.dtMs;
    const trade: SimTrade = {
      code: slot.spec.code,
      price: pending.price.toNumber(),
      volume: pending.volume.toNumber(),
      askBid: pending.askBid,
      timestamp,
      sequentialId: ++sequentialId,
    };
    for (const listener of listeners) {
      try {
        listener(trade);
      } catch (error) {
        logger.error({ err: error, code: trade.code }, 'trade listener threw; the engine carries on');
      }
    }
    return trade;
  };

  const catchUp = (): number => {
    const t = now();
    const lag = t - earliest().dueAt;
    if (lag > MAX_LAG_MS) {
      logger.info({ lagMs: Math.round(lag) }, 'clock jumped ahead; skipping the missed trades');
      for (const slot of slots) slot.dueAt += lag;
    }
    let count = 0;
    for (let next = earliest(); next.dueAt <= t; next = earliest()) {
      emit(next);
      count++;
    }
    return count;
  };

  const schedule = (): void => {
    const delay = Math.min(MAX_SLEEP_MS, Math.max(0, earliest().dueAt - now()));
    timer = setTimeout(onTimer, delay);
  };

  function onTimer(): void {
    timer = undefined;
    catchUp();
    schedule();
  }

  return {
    seed,
    markets: slots.map(({ spec }) => ({ code: spec.code, koreanName: spec.koreanName, englishName: spec.englishName })),
    has: (code) => byCode.has(code),
    ticker(code, streamType = 'SNAPSHOT') {
      return byCode.get(code)?.stats.ticker(code, now(), streamType);
    },
    onTrade(listener) {
      // Wrapped so the same function can be added twice and released independently.
      const entry: TradeListener = (trade) => listener(trade);
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
    step: () => emit(earliest()),
    catchUp,
    start() {
      if (timer === undefined) schedule();
    },
    stop() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** A per-market 32-bit seed from the engine seed and the market code (FNV-1a, then mixed). */
function mixSeed(seed: number, code: string): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < code.length; i++) {
    h ^= code.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}
