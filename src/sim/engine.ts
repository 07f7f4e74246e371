import type { Logger } from '../runtime/logger.js';
import { silentLogger } from '../runtime/logger.js';
import type { AskBid, StreamType } from '../upbit/types.js';
import type { TickerWire } from '../upbit/wire.js';
import type { MarketSpec, SimMarket } from './catalog.js';
import { selectMarkets, simMarket } from './catalog.js';
import { MarketStats } from './market-stats.js';
import type { ProcessTrade } from './price-process.js';
import { PriceProcess } from './price-process.js';
import { Dec, VOLUME_DECIMALS, snapToKrwGrid } from './price-grid.js';
import { createRng, randomSeed } from './random.js';
import type { ParsedScript } from './scripted-prices.js';
import { ScriptError, ScriptedPath } from './scripted-prices.js';

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
  /**
   * Scripted price paths (see `scripted-prices.ts`): these markets print exactly the
   * scripted trades at the scripted times, counted from the engine's creation; the others
   * keep the random process. Every scripted market must be among `markets`.
   * @default no script
   */
  script?: ParsedScript;
}

/** Options of {@link SimEngine.scriptTrade}. */
export interface ScriptTradeOptions {
  /** @default the size of a typical trade of the market */
  volume?: number;
  /** @default `ASK` below the last price, `BID` otherwise */
  askBid?: AskBid;
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
  /**
   * Print a trade of `code` at `price` (snapped to the nearest tick) now, after the trades
   * due before it: for tests that need the market at a known price at a known moment. A
   * random market's walk carries on from that price; a scripted market's script is unchanged.
   */
  scriptTrade(code: string, price: number, options?: ScriptTradeOptions): SimTrade;
  /** Start the timer loop (idempotent). */
  start(): void;
  /** Stop the timer loop (idempotent); the engine can be started again. */
  stop(): void;
}

interface MarketSlot {
  spec: MarketSpec;
  process: PriceProcess | ScriptedPath;
  stats: MarketStats;
  /** The already drawn next trade and its scheduled time (Infinity once a script is over). */
  pending: ProcessTrade;
  dueAt: number;
}

/** The timer never sleeps longer than this, so a moved injected clock is noticed soon. */
const MAX_SLEEP_MS = 1_000;
/** Further behind than this (a suspended laptop, a clock jump), skip ahead instead of replaying. */
const MAX_LAG_MS = 60_000;
const VOLUME_STEP = new Dec(10).pow(-VOLUME_DECIMALS);

export function createSimEngine(options: SimEngineOptions = {}): SimEngine {
  const seed = options.seed ?? randomSeed();
  const now = options.now ?? Date.now;
  const logger = (options.logger ?? silentLogger).child({ component: 'sim-engine' });
  const start = now();
  const specs = selectMarkets(options.markets);
  const script = options.script ?? new Map<string, never>();
  for (const code of script.keys()) {
    if (!specs.some((spec) => spec.code === code)) {
      throw new ScriptError(`The price script has ${code}, which the simulator does not run. Simulated markets: ${specs.map((spec) => spec.code).join(', ')}.`);
    }
  }
  const slots: MarketSlot[] = specs.map((spec) => {
    // One stream per market, so a market's trades do not depend on which others run.
    const rng = createRng(mixSeed(seed, spec.code));
    const points = script.get(spec.code);
    const process = points === undefined ? new PriceProcess(spec, rng) : new ScriptedPath(points, spec);
    const stats = new MarketStats(spec, rng, process.currentPrice(), start);
    const pending = process.next();
    if (pending === undefined) throw new Error(`BUG: the script of ${spec.code} has no points`);
    return { spec, process, stats, pending, dueAt: start + pending.dtMs };
  });
  const byCode = new Map(slots.map((s) => [s.spec.code, s]));
  // Only these are skipped ahead after a clock jump; a script's times are fixed.
  const randomSlots = slots.filter((slot) => slot.process instanceof PriceProcess);
  const listeners = new Set<TradeListener>();
  let sequentialId = 0;
  let timer: NodeJS.Timeout | undefined;

  const earliest = (among: readonly MarketSlot[] = slots): MarketSlot => {
    let best = among[0];
    for (const slot of among) if (best === undefined || slot.dueAt < best.dueAt) best = slot;
    if (best === undefined) throw new Error('BUG: the simulator engine has no markets');
    return best;
  };

  const emit = (slot: MarketSlot): SimTrade => {
    const { pending } = slot;
    const timestamp = Math.floor(slot.dueAt);
    const following = slot.process.next();
    if (following === undefined) {
      slot.dueAt = Infinity;
    } else {
      slot.pending = following;
      slot.dueAt += following.dtMs;
    }
    return record(slot, pending, timestamp);
  };

  const record = (slot: MarketSlot, printed: Pick<ProcessTrade, 'price' | 'volume' | 'askBid'>, timestamp: number): SimTrade => {
    slot.stats.apply({ price: printed.price, volume: printed.volume, askBid: printed.askBid, timestamp });
    const trade: SimTrade = {
      code: slot.spec.code,
      price: printed.price.toNumber(),
      volume: printed.volume.toNumber(),
      askBid: printed.askBid,
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
    const lag = randomSlots.length === 0 ? 0 : t - earliest(randomSlots).dueAt;
    if (lag > MAX_LAG_MS) {
      logger.info({ lagMs: Math.round(lag) }, 'clock jumped ahead; skipping the missed trades');
      for (const slot of randomSlots) slot.dueAt += lag;
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
    markets: slots.map(({ spec }) => simMarket(spec)),
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
    step() {
      const slot = earliest();
      if (slot.dueAt === Infinity) throw new Error('The simulator has no trade left to make: every market is scripted and every script is over.');
      return emit(slot);
    },
    catchUp,
    scriptTrade(code, price, tradeOptions = {}) {
      const slot = byCode.get(code);
      if (slot === undefined) throw new Error(`The simulator has no market ${code}. Simulated markets: ${specs.map((spec) => spec.code).join(', ')}.`);
      if (!(price > 0 && Number.isFinite(price))) throw new RangeError(`scriptTrade: price must be a positive number of KRW, not ${price}.`);
      // Trades due before now go first, so timestamps never run backwards.
      catchUp();
      const onGrid = snapToKrwGrid(price, 'nearest');
      const volume =
        tradeOptions.volume !== undefined
          ? Dec.max(VOLUME_STEP, new Dec(tradeOptions.volume).toDecimalPlaces(VOLUME_DECIMALS, Dec.ROUND_DOWN))
          : slot.pending.volume;
      const askBid = tradeOptions.askBid ?? (onGrid.lt(slot.stats.lastPrice) ? 'ASK' : 'BID');
      const t = now();
      const trade = record(slot, { price: onGrid, volume, askBid }, Math.floor(t));
      if (slot.process instanceof PriceProcess) {
        slot.process.moveTo(onGrid);
        slot.pending = slot.process.next();
        slot.dueAt = t + slot.pending.dtMs;
      }
      return trade;
    },
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
