import type { MoneyInput, OrdType, OrderDraft, Side, TimeInForce } from '../money.js';

/** Who asked for an order. */
export type IntentSource = 'ui' | 'cli' | 'monitor';

/**
 * Where one attempt (one POST with one `identifier`) stands.
 *
 * ```
 * pending ──▶ acked ──▶ done | cancel
 *    │          ▲
 *    ├──▶ rejected          (the exchange said no; the identifier is burned)
 *    └──▶ unknown ──▶ acked | not_found
 *                               │
 *                               └──▶ acked   (it turned up after all; recorded, never dropped)
 * ```
 *
 * `pending` is written before the request is sent; `unknown` means it was sent and no answer
 * came (timeout, connection loss), so the order may or may not exist until a lookup by
 * identifier says which.
 */
export type AttemptState = 'pending' | 'acked' | 'rejected' | 'unknown' | 'not_found' | 'done' | 'cancel';

/** Attempts start-up must resolve (by identifier lookup) before anything new is placed. */
export const UNRESOLVED_STATES: readonly AttemptState[] = ['pending', 'unknown'];
/** Attempts that are, or may be, an order on the exchange that can still trade. */
export const LIVE_STATES: readonly AttemptState[] = ['pending', 'unknown', 'acked'];
/** The order is finished on the exchange. */
export const TERMINAL_STATES: readonly AttemptState[] = ['done', 'cancel'];
/** There is no order and never will be: a new attempt may follow. */
export const DEAD_STATES: readonly AttemptState[] = ['rejected', 'not_found'];

/**
 * What the user or the monitor asked for, as journalled: the order's fields exactly as the
 * pre-trade check reads them ({@link OrderDraft}: `total` is a market or best-price buy's
 * spend, never `price`), plus who asked and why.
 */
export interface IntentInput extends OrderDraft {
  source: IntentSource;
  /** Why, for the history: e.g. "stop-loss at 94,000,000". */
  note?: string | null;
}

export interface Intent {
  id: number;
  market: string;
  side: Side;
  ordType: OrdType;
  /** Decimal strings, exactly as journalled. */
  price: string | null;
  volume: string | null;
  total: string | null;
  timeInForce: TimeInForce | null;
  source: IntentSource;
  note: string | null;
  /** ms since epoch */
  createdAt: number;
}

/** The exchange's `{"error":{"name","message"}}`, or a local description of why it refused. */
export interface RejectionInput {
  name: string;
  message: string;
}

/** Final amounts of a finished order (GET /v1/order or the myOrder `done`/`cancel` event). */
export interface TerminalTotals {
  executedVolume: MoneyInput;
  /** Sum of price × volume over the fills, in the quote currency; null when the source does not say. */
  executedFunds?: MoneyInput | null;
  paidFee: MoneyInput;
}

export interface FillInput {
  /** The trade's uuid (`trades[].uuid`, myOrder `trade_uuid`): fills are recorded once per trade uuid. */
  tradeUuid: string;
  price: MoneyInput;
  volume: MoneyInput;
  /** price × volume; computed when not given. */
  funds?: MoneyInput | null;
  fee: MoneyInput;
  /** When the trade happened, ms since epoch. */
  at: number;
}

export interface Fill {
  tradeUuid: string;
  attemptId: number;
  price: string;
  volume: string;
  funds: string;
  fee: string;
  at: number;
}

export interface Attempt {
  id: number;
  intentId: number;
  /** Our client order id, unique forever on the account. */
  identifier: string;
  state: AttemptState;
  /** The exchange's order uuid, once known. */
  uuid: string | null;
  /** Set when `rejected`. */
  error: RejectionInput | null;
  /** Why the outcome was lost, when the attempt went through `unknown`. */
  unknownReason: string | null;
  /** The last order snapshot the exchange gave (parsed JSON), if any. */
  order: unknown;
  /** Set when `done`/`cancel`. */
  executed: { volume: string; funds: string | null; paidFee: string } | null;
  createdAt: number;
  updatedAt: number;
}

export interface AttemptWithIntent extends Attempt {
  intent: Intent;
}

export interface AttemptDetail extends AttemptWithIntent {
  fills: Fill[];
}

export interface IntentWithAttempts extends Intent {
  /** Oldest first, each with its fills. */
  attempts: Array<Attempt & { fills: Fill[] }>;
}

/** One line of an attempt's history. `from` is null for its creation. */
export interface AttemptEvent {
  from: AttemptState | null;
  to: AttemptState;
  detail: string | null;
  at: number;
}

/** Which exchange and account a journal belongs to. */
export interface JournalIdentity {
  /**
   * The exchange the orders live on, by name (see TradingMode in src/app/trading-mode.ts):
   * `upbit`, `sim`, `sim:embedded`, `paper:upbit`, `paper:sim`. Journals written before were
   * keyed on the REST URL (`https://api.upbit.com`, `http://127.0.0.1:PORT`, `paper:<URL>`);
   * the trading context takes those of the same account in (OrderJournal.absorb).
   */
  endpoint: string;
  /**
   * A stable, non-secret name for the account: stored in plain text and shown in errors. For
   * keyed accounts e.g. a hash of the access key; never the secret key.
   */
  accountId: string;
}
