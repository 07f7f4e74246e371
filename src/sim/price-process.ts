import type { AskBid } from '../upbit/types.js';
import { Dec, VOLUME_DECIMALS, snapToKrwGrid } from './price-grid.js';
import type { Rng } from './random.js';

/** What the price process needs to know about a market. */
export interface ProcessSpec {
  startPrice: number;
  tradesPerSecond: number;
  turnover24h: number;
  hourlyVolatility: number;
}

/** One simulated trade, `dtMs` after the previous one of the same market. */
export interface ProcessTrade {
  dtMs: number;
  price: Dec;
  volume: Dec;
  askBid: AskBid;
}

const HOUR_MS = 3_600_000;
const DAY_S = 86_400;
/** How fast a busy (or quiet) spell fades. */
const HEAT_TAU_MS = 10 * 60_000;
/** Stationary standard deviation of the log activity factor. */
const HEAT_SD = 0.6;
/** How fast the price drifts back towards its start price (keeps long runs plausible). */
const REVERT_TAU_MS = 3 * HOUR_MS;
/** Chance that a trade sweeps several levels (a fat tail on the per-trade move). */
const SWEEP_PROBABILITY = 0.005;
const SWEEP_FACTOR = 4;
/** Log-normal spread of trade sizes. */
const NOTIONAL_SD = 1.2;
const MIN_NOTIONAL_KRW = 100;
const VOLUME_STEP = new Dec(10).pow(-VOLUME_DECIMALS);

/**
 * A market's seeded price model.
 *
 * A latent log price follows a mean-reverting random walk; an activity factor (log
 * Ornstein–Uhlenbeck) drives both the trade rate and the per-trade move, so busy spells are
 * also volatile ones (volatility clustering), normalised so the long-run averages match the
 * spec. Trades arrive as a Poisson process at the current rate. A buyer-initiated trade
 * (`BID`) prints at the latent price rounded up to the tick grid, a seller-initiated one
 * (`ASK`) rounded down: on coarse-tick markets this gives the familiar bid/ask bounce, on
 * fine-tick markets moves of a few ticks. Prices are exact decimals on the grid.
 *
 * Everything is drawn from one {@link Rng} in a fixed order, so a seed fixes the sequence.
 */
export class PriceProcess {
  private logPrice: number;
  private readonly logAnchor: number;
  private heat: number;
  private readonly tradeSigma: number;
  private readonly medianNotional: number;

  constructor(
    private readonly spec: ProcessSpec,
    private readonly rng: Rng,
  ) {
    this.logAnchor = Math.log(spec.startPrice);
    // Start somewhere near the anchor, not exactly on it, so seeds differ from the first print.
    this.logPrice = this.logAnchor + rng.normal() * spec.hourlyVolatility * 0.5;
    this.heat = rng.normal() * HEAT_SD;
    this.tradeSigma = spec.hourlyVolatility / Math.sqrt((HOUR_MS / 1000) * spec.tradesPerSecond);
    const meanNotional = spec.turnover24h / (spec.tradesPerSecond * DAY_S);
    this.medianNotional = meanNotional * Math.exp((-NOTIONAL_SD * NOTIONAL_SD) / 2);
  }

  /** The current latent price on the grid (nearest tick), e.g. to seed the statistics. */
  currentPrice(): Dec {
    return snapToKrwGrid(Math.exp(this.logPrice), 'nearest');
  }

  /**
   * Put the latent price at `price` (an injected trade), so the walk carries on from there;
   * the level it reverts to stays the same.
   */
  moveTo(price: Dec): void {
    this.logPrice = Math.log(price.toNumber());
  }

  /** Trades per second right now. */
  currentRate(): number {
    return this.spec.tradesPerSecond * Math.exp(this.heat - (HEAT_SD * HEAT_SD) / 2);
  }

  /** Draw the next trade: how long after the previous one it happens, and what it prints. */
  next(): ProcessTrade {
    const rng = this.rng;
    const dtMs = rng.exponential(1000 / this.currentRate());

    const decayHeat = Math.exp(-dtMs / HEAT_TAU_MS);
    this.heat = this.heat * decayHeat + HEAT_SD * Math.sqrt(1 - decayHeat * decayHeat) * rng.normal();

    // Per-trade variance × trade rate averages to the spec's variance per unit time.
    const volFactor = Math.exp(this.heat / 2 - 0.75 * HEAT_SD * HEAT_SD);
    const sweep = rng.uniform() < SWEEP_PROBABILITY ? SWEEP_FACTOR : 1;
    const z = rng.normal();
    const revert = Math.exp(-dtMs / REVERT_TAU_MS);
    this.logPrice = this.logAnchor + (this.logPrice - this.logAnchor) * revert + z * this.tradeSigma * volFactor * sweep;

    // Buyers lift the ask more often when the price is moving up, and vice versa.
    const askBid: AskBid = rng.uniform() < 0.5 + 0.4 * Math.tanh(0.8 * z) ? 'BID' : 'ASK';
    const price = snapToKrwGrid(Math.exp(this.logPrice), askBid === 'BID' ? 'up' : 'down');

    const notional = Math.max(MIN_NOTIONAL_KRW, this.medianNotional * Math.exp(NOTIONAL_SD * rng.normal()));
    const volume = Dec.max(VOLUME_STEP, new Dec(notional).div(price).toDecimalPlaces(VOLUME_DECIMALS, Dec.ROUND_DOWN));
    return { dtMs, price, volume, askBid };
  }
}
