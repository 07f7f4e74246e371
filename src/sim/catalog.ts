/**
 * The simulator's market list: KRW pairs with late-2026-plausible prices, turnover and
 * activity. Names follow Upbit's `GET /v1/market/all` (`korean_name`, `english_name`).
 */
import { NO_FLAGS, type MarketFlags } from '../upbit/market-event.js';
import type { ListedMarket } from '../upbit/market-list.js';

/** What a client can learn about a simulated market (the `/v1/market/all` subset). */
export interface SimMarket {
  code: string;
  koreanName: string;
  englishName: string;
  /**
   * Upbit's market alerts for it (`market_event` with `is_details=true`,
   * docs/upbit-protocol.md#market-alerts). @default none
   */
  flags?: MarketFlags;
}

/** A catalog entry: the market plus the parameters of its price process. */
export interface MarketSpec extends SimMarket {
  /** Price the process starts from and reverts to, in KRW. */
  startPrice: number;
  /** Long-run average number of trades per second (the intensity wanders around it). */
  tradesPerSecond: number;
  /** Typical 24 h turnover in KRW; seeds the 24 h figures and sizes the trades. */
  turnover24h: number;
  /** Standard deviation of the log price over one hour (0.008 = 0.8 %). */
  hourlyVolatility: number;
}

const BILLION = 1_000_000_000;

/** Busy majors first, then the slower ones; the order is the default table order. */
export const SIM_CATALOG: readonly MarketSpec[] = [
  m('KRW-BTC', '비트코인', 'Bitcoin', 130_000_000, 6, 420 * BILLION, 0.006),
  m('KRW-ETH', '이더리움', 'Ethereum', 4_800_000, 4, 260 * BILLION, 0.008),
  m('KRW-XRP', '엑스알피(리플)', 'XRP', 3_200, 5, 380 * BILLION, 0.01),
  m('KRW-SOL', '솔라나', 'Solana', 250_000, 2, 90 * BILLION, 0.011),
  m('KRW-DOGE', '도지코인', 'Dogecoin', 300, 2, 70 * BILLION, 0.013),
  m('KRW-USDT', '테더', 'Tether', 1_400, 1.5, 150 * BILLION, 0.0006),
  m('KRW-ADA', '에이다', 'Cardano', 1_100, 1, 35 * BILLION, 0.012),
  m('KRW-SUI', '수이', 'Sui', 5_200, 0.9, 30 * BILLION, 0.014),
  // Flagged so that the alert badges can be seen without the live exchange (a small, jumpy coin each).
  m('KRW-SHIB', '시바이누', 'Shiba Inu', 0.0185, 0.8, 18 * BILLION, 0.014, { warning: false, cautions: ['PRICE_FLUCTUATIONS'] }),
  m('KRW-TRX', '트론', 'TRON', 450, 0.6, 12 * BILLION, 0.008),
  m('KRW-AVAX', '아발란체', 'Avalanche', 38_000, 0.5, 9 * BILLION, 0.013),
  m('KRW-LINK', '체인링크', 'Chainlink', 33_000, 0.5, 10 * BILLION, 0.012),
  m('KRW-DOT', '폴카닷', 'Polkadot', 9_500, 0.4, 6 * BILLION, 0.012),
  m('KRW-BCH', '비트코인캐시', 'Bitcoin Cash', 700_000, 0.4, 8 * BILLION, 0.01),
  m('KRW-XLM', '스텔라루멘', 'Stellar Lumens', 550, 0.4, 7 * BILLION, 0.011),
  m('KRW-ETC', '이더리움클래식', 'Ethereum Classic', 32_000, 0.3, 5 * BILLION, 0.012),
  m('KRW-BTT', '비트토렌트', 'BitTorrent', 0.0013, 0.3, 2 * BILLION, 0.015, { warning: true, cautions: ['CONCENTRATION_OF_SMALL_ACCOUNTS'] }),
];

function m(
  code: string,
  koreanName: string,
  englishName: string,
  startPrice: number,
  tradesPerSecond: number,
  turnover24h: number,
  hourlyVolatility: number,
  flags?: MarketFlags,
): MarketSpec {
  return { code, koreanName, englishName, startPrice, tradesPerSecond, turnover24h, hourlyVolatility, ...(flags === undefined ? {} : { flags }) };
}

/** What a client learns of `spec` (the engine's and the server's view of a market). */
export function simMarket(spec: SimMarket): SimMarket {
  return { code: spec.code, koreanName: spec.koreanName, englishName: spec.englishName, ...(spec.flags === undefined ? {} : { flags: spec.flags }) };
}

/** A simulated market as an exchange's market list has it, flags included. */
export function simMarketInfo(spec: SimMarket): ListedMarket {
  const { warning, cautions } = spec.flags ?? NO_FLAGS;
  return { market: spec.code, koreanName: spec.koreanName, englishName: spec.englishName, warning, cautions };
}

/**
 * The catalog entries for `codes`, in the order given (duplicates dropped), or the whole
 * catalog when `codes` is undefined. Throws for a code the simulator does not list, naming
 * the ones it does.
 */
export function selectMarkets(codes?: readonly string[]): MarketSpec[] {
  if (codes === undefined) return [...SIM_CATALOG];
  const out: MarketSpec[] = [];
  for (const code of codes) {
    const spec = SIM_CATALOG.find((s) => s.code === code);
    if (spec === undefined) {
      throw new Error(
        `The simulator has no market ${code}. Choose from: ${SIM_CATALOG.map((s) => s.code).join(', ')}.`,
      );
    }
    if (!out.includes(spec)) out.push(spec);
  }
  if (out.length === 0) throw new Error('The simulator needs at least one market; pass none to get all of them.');
  return out;
}
