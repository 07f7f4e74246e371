/**
 * Upbit's market alerts ("시장 경보") as `GET /v1/market/all?is_details=true` gives them
 * (https://docs.upbit.com/kr/reference/list-trading-pairs):
 *
 *     "market_event": { "warning": false, "caution": { "PRICE_FLUCTUATIONS": true, … } }
 *
 * Before `market_event`, Upbit sent `market_warning: "NONE" | "CAUTION"`, where `CAUTION`
 * meant 투자유의, the warning designation. Both shapes are read; anything absent or of
 * another type is no flag, so a changed field never costs the market list.
 */
import { isRecord, type JsonRecord } from './json-narrow.js';

/**
 * The caution reasons Upbit documents under `market_event.caution`. Since 2026-01-29 a reason
 * is `true` at any stage of an alert (주의/경고/위험, https://docs.upbit.com/kr/changelog/market_event).
 */
export const CAUTION_REASONS = [
  'PRICE_FLUCTUATIONS',
  'TRADING_VOLUME_SOARING',
  'DEPOSIT_AMOUNT_SOARING',
  'GLOBAL_PRICE_DIFFERENCES',
  'CONCENTRATION_OF_SMALL_ACCOUNTS',
] as const;

export type CautionReason = (typeof CAUTION_REASONS)[number];

/** What Upbit flags about one market. */
export interface MarketFlags {
  /** 투자유의 (investment warning): `market_event.warning`, or the older `market_warning: "CAUTION"`. */
  warning: boolean;
  /**
   * The 주의 (caution) reasons that are set, under Upbit's names, in the order Upbit sent them.
   * A reason this code does not know is kept: Upbit adds reasons without notice.
   */
  cautions: readonly string[];
}

export const NO_FLAGS: MarketFlags = { warning: false, cautions: [] };

/** Read the flags of one `GET /v1/market/all` element (either shape; see above). */
export function parseMarketFlags(market: JsonRecord): MarketFlags {
  const event = market['market_event'];
  if (isRecord(event)) {
    const caution = event['caution'];
    const cautions = isRecord(caution) ? Object.keys(caution).filter((reason) => caution[reason] === true) : [];
    const warning = event['warning'] === true;
    return warning || cautions.length > 0 ? { warning, cautions } : NO_FLAGS;
  }
  return market['market_warning'] === 'CAUTION' ? { warning: true, cautions: [] } : NO_FLAGS;
}

/** True when Upbit flags the market at all. */
export function isFlagged(flags: MarketFlags): boolean {
  return flags.warning || flags.cautions.length > 0;
}

/** `flags` as Upbit writes them: `market_event` with every documented reason present. */
export function marketEventWire(flags: MarketFlags): { warning: boolean; caution: Record<string, boolean> } {
  const caution: Record<string, boolean> = {};
  for (const reason of CAUTION_REASONS) caution[reason] = flags.cautions.includes(reason);
  for (const reason of flags.cautions) caution[reason] = true;
  return { warning: flags.warning, caution };
}
