/**
 * The scriptable trading commands: `balance`, `orders`, `buy`, `sell`, `cancel`. Each run
 * opens a {@link TradingContext} (venue, journal, order service; earlier unknown orders
 * resolved first), does one thing through the order service, and closes it again.
 *
 * Exit codes (documented in the README):
 *
 * | code | meaning |
 * | --- | --- |
 * | 0 | done |
 * | 1 | a bug, or a local file that cannot be used (journal, state) |
 * | 2 | the command line or the configuration is wrong (flags, amounts, keys) |
 * | 3 | the exchange refused (funds, minimum, unknown order, keys refused) |
 * | 4 | the exchange could not be reached, or rate-limited: try again |
 * | 5 | an order's outcome is unknown: it may exist; see the message |
 * | 130 | interrupted (SIGINT/SIGTERM): nothing new was sent, in-flight work was journaled |
 */
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';

import { UsageError } from '../app/errors.js';
import { openFileLogger } from '../app/file-logger.js';
import { appPaths } from '../app/paths.js';
import { openTradingContext, type TradingContext } from '../app/trading-context.js';
import type { Logger } from '../runtime/logger.js';
import { LockedError } from '../runtime/process-lock.js';
import { JournalError } from '../trading/journal/index.js';
import { InvalidOrderError, NotReadyError, OrderNotPlacedError, ShuttingDownError } from '../trading/order-errors.js';
import { PaperWalletError } from '../trading/paper/index.js';
import type { OrderIntentInput } from '../trading/order-service.js';
import { checkIntent, loadOrderContext } from '../trading/order-context.js';
import { checkOrder, formatAmount, isOnTick, parseAmount, roundPrice, tickSize, type Decimal, type OrderDraft } from '../trading/money.js';
import { OrderNotFoundError, UpbitError } from '../upbit/rest/index.js';
import type { Order } from '../upbit/rest/index.js';
import { balanceJson, balanceTable, createOutput, describeOrder, orderJson, orderTable, type Output } from './output.js';

export const EXIT = { ok: 0, bug: 1, usage: 2, refused: 3, connection: 4, unknown: 5, busy: 6, interrupted: 130 } as const;

/** Flags every trading command takes (the connection flags are the TUI's). */
export interface TradeOptions {
  sim?: boolean;
  paper?: boolean;
  live?: boolean;
  apiUrl?: string;
  wsUrl?: string;
  dataDir?: string;
  keyFile?: string;
  json?: boolean;
}

const MARKET = /^[A-Z]{2,10}-[A-Z0-9]{1,15}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseMarketArg(value: string): string {
  const code = value.trim().toUpperCase();
  if (!MARKET.test(code)) throw new InvalidArgumentError(`"${value}" is not a market code; write it as QUOTE-BASE, e.g. KRW-BTC.`);
  return code;
}

/** A positive amount as typed (`0.001`, `10,000`); signs, exponents and zero are refused. */
export function parseAmountOption(flag: string, example: string) {
  return (value: string): Decimal => {
    const d = parseAmount(value);
    if (d === null || d.isZero()) throw new InvalidArgumentError(`${flag} must be a positive number such as ${example} (got "${value}").`);
    return d;
  };
}

interface ConnectionFlags {
  sim: boolean;
  paper: boolean;
  live: boolean;
  apiUrl: string | undefined;
  dataDir: string;
  keyFile: string | undefined;
  json: boolean;
}

/**
 * The command's own flags, with `--sim`, `--api-url` and `--ws-url` also read from before the
 * command name (`upbit-tui --sim balance`) when typed there.
 */
function connectionFlags(cmd: Command, o: TradeOptions, env: NodeJS.ProcessEnv): ConnectionFlags {
  const parent = cmd.parent;
  const fromParent = <T>(key: string): T | undefined => (parent !== null && parent.getOptionValueSource(key) === 'cli' ? (parent.getOptionValue(key) as T) : undefined);
  return {
    sim: o.sim === true || fromParent<boolean>('sim') === true,
    paper: o.paper === true,
    live: o.live === true,
    apiUrl: o.apiUrl ?? fromParent<string>('apiUrl'),
    dataDir: o.dataDir ?? appPaths(env).dataDir,
    keyFile: o.keyFile,
    json: o.json === true,
  };
}

export function addConnectionOptions(cmd: Command, parseUrl: (schemes: string[]) => (v: string) => string): Command {
  return cmd
    .option('--sim', 'trade on the built-in exchange (its state in --data-dir), or on --api-url if given')
    .option('--paper', 'paper trading: fill locally against live (or --sim) quotes')
    .option('--live', 'real orders on Upbit (needs API keys)')
    .option('--api-url <url>', 'REST base URL (default https://api.upbit.com)', parseUrl(['https', 'http']))
    .option('--ws-url <url>', 'quotation WebSocket URL (unused by the commands; accepted for symmetry with the TUI)', parseUrl(['wss', 'ws']))
    .option('--data-dir <dir>', 'journals, paper wallet and built-in exchange state')
    .option('--key-file <file>', 'API keys as JSON {"access_key","secret_key"}, mode 0600 (instead of UPBIT_ACCESS_KEY/UPBIT_SECRET_KEY)')
    .option('--json', 'machine-readable output: one JSON document on stdout');
}

// ----------------------------------------------------------------------------------------
// Order intents from the command line, checked before anything connects.

export interface BuyFlags {
  price?: Decimal;
  volume?: Decimal;
  total?: Decimal;
}

export interface SellFlags {
  price?: Decimal;
  volume?: Decimal;
  total?: Decimal;
}

export interface CheckedIntent {
  intent: OrderIntentInput;
  /** Said on stderr: e.g. the price was rounded onto the grid. */
  notes: string[];
}

/**
 * The order to send for `buy`/`sell`, or a {@link UsageError} naming the fix. A price off the
 * price grid is rounded in the user's favour (buys down, sells up) and the rounding is said,
 * since the rounded order is never worse than the one typed.
 */
export function intentFromFlags(side: 'bid' | 'ask', market: string, f: BuyFlags | SellFlags): CheckedIntent {
  const verb = side === 'bid' ? 'buy' : 'sell';
  let draft: OrderDraft;
  if (side === 'bid') {
    if (f.total !== undefined && (f.price !== undefined || f.volume !== undefined)) {
      throw new UsageError(`buy --total is a market buy by KRW and takes no --price or --volume; for a limit buy give --price and --volume instead.`);
    }
    if (f.total !== undefined) draft = { market, side, ordType: 'price', total: f.total };
    else if (f.price === undefined) throw new UsageError(`buy needs --total KRW for a market buy, or --price and --volume for a limit buy.`);
    else if (f.volume === undefined) throw new UsageError(`buy --price (a limit buy) needs --volume, the amount of ${market.split('-')[1] ?? 'coin'} to buy; or use --total for a market buy.`);
    else draft = { market, side, ordType: 'limit', price: f.price, volume: f.volume };
  } else {
    if (f.total !== undefined) throw new UsageError(`sell takes --volume (the amount of coin to sell), not --total.`);
    if (f.volume === undefined) throw new UsageError(`sell needs --volume, the amount of ${market.split('-')[1] ?? 'coin'} to sell (add --price for a limit sell).`);
    draft = f.price === undefined ? { market, side, ordType: 'market', volume: f.volume } : { market, side, ordType: 'limit', price: f.price, volume: f.volume };
  }

  const notes: string[] = [];
  if (draft.ordType === 'limit' && f.price !== undefined && !isOnTick(market, f.price)) {
    const rounded = roundPrice(market, side, f.price);
    if (!rounded.isZero()) {
      notes.push(
        `price ${formatAmount(f.price)} is not on ${market}'s ${formatAmount(tickSize(market, f.price))} price step; rounded ${side === 'bid' ? 'down' : 'up'} to ${formatAmount(rounded)} (in your favour).`,
      );
      draft = { ...draft, price: rounded };
    }
  }
  const problems = checkOrder(draft);
  const first = problems[0];
  if (first !== undefined) throw new UsageError(`${verb} ${market}: ${problems.map((p) => p.message).join(' ')}`.replace(/\s+/g, ' ').trim(), 2);
  const intent: OrderIntentInput = { market, side, ordType: draft.ordType };
  if (draft.ordType === 'price') intent.price = f.total;
  else {
    if (draft.ordType === 'limit') intent.price = draft.price as Decimal;
    intent.volume = f.volume;
  }
  return { intent, notes };
}

// ----------------------------------------------------------------------------------------
// Running a command.

/** The error for any failure of a trading command: one line, the exit code from the table above. */
export function toExitError(error: unknown): unknown {
  if (error instanceof UsageError) return error;
  if (error instanceof UpbitError) {
    switch (error.kind) {
      case 'user':
        return new UsageError(error.message, EXIT.refused, { cause: error });
      case 'credentials':
        return new UsageError(error.message, error.status === null ? EXIT.usage : EXIT.refused, { cause: error });
      case 'connection':
      case 'rate-limit':
        return new UsageError(error.message, EXIT.connection, { cause: error });
      case 'outcome-unknown':
        return new UsageError(error.message, EXIT.unknown, { cause: error });
      case 'bug':
        return new UsageError(error.message, EXIT.bug, { cause: error });
    }
  }
  if (error instanceof InvalidOrderError) return new UsageError(error.message, EXIT.usage, { cause: error });
  if (error instanceof LockedError) return new UsageError(`${error.message} Nothing was sent.`, EXIT.busy, { cause: error });
  if (error instanceof NotReadyError) return new UsageError(error.message, EXIT.unknown, { cause: error });
  if (error instanceof ShuttingDownError) return new UsageError(error.message, EXIT.interrupted, { cause: error });
  if (error instanceof OrderNotPlacedError) return new UsageError(`${error.message} (identifier ${error.identifier}; nothing was placed, it is safe to run the command again)`, EXIT.connection, { cause: error });
  if (error instanceof JournalError || error instanceof PaperWalletError) return new UsageError(error.message, EXIT.bug, { cause: error });
  return error;
}

interface RunContext {
  ctx: TradingContext;
  out: Output;
  signal: AbortSignal;
  log: Logger;
}

/**
 * Open the trading context, run `body`, close it, whatever happens. SIGINT/SIGTERM abort the
 * run's signal and stop new orders at once; an order already sent is awaited and journaled
 * (the context's close drains the service), then the command fails with exit 130.
 */
async function runTrading(flags: ConnectionFlags, env: NodeJS.ProcessEnv, body: (r: RunContext) => Promise<void>): Promise<void> {
  const out = createOutput(flags.json);
  const file = openFileLogger(appPaths(env).logFile);
  const log = file.logger.child({ c: 'cli' });
  const controller = new AbortController();
  let ctx: TradingContext | undefined;
  const onSignal = (signal: NodeJS.Signals) => (): void => {
    log.warn({ signal }, 'interrupted: no new order will be sent');
    controller.abort(new Error(`interrupted by ${signal}`));
    ctx?.service.beginShutdown();
  };
  const onInt = onSignal('SIGINT');
  const onTerm = onSignal('SIGTERM');
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  try {
    ctx = await openTradingContext(flags, { env, logger: log, notice: (line) => out.notice(line), signal: controller.signal });
    if (controller.signal.aborted) ctx.service.beginShutdown();
    await body({ ctx, out, signal: controller.signal, log });
  } catch (error) {
    // The built-in exchange refused a change it could not save: that, not its 503, is the news.
    const stateProblem = controller.signal.aborted ? undefined : ctx?.stateProblem();
    if (stateProblem !== undefined) {
      log.error({ err: error, stateProblem: stateProblem.message }, 'trading command failed: the built-in exchange could not save its state');
      throw stateProblem;
    }
    log.error({ err: error }, 'trading command failed');
    if (controller.signal.aborted) throw new UsageError('Interrupted: no new order was sent; anything already sent is in the journal and is resolved on the next run.', EXIT.interrupted, { cause: error });
    throw toExitError(error);
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    try {
      await ctx?.close();
    } finally {
      await file.close();
    }
  }
  if (controller.signal.aborted) throw new UsageError('Interrupted after the command finished its work; nothing else was sent.', EXIT.interrupted);
}

async function placeAndReport({ ctx, out, signal }: RunContext, checked: CheckedIntent): Promise<void> {
  for (const note of checked.notes) out.notice(note);
  // Balances, fees/minimums, price step and last price, read in parallel: a shortfall is
  // said before anything is sent (the exchange would refuse it anyway, with a vaguer message).
  const problems = checkIntent(checked.intent, await loadOrderContext(ctx.venue, checked.intent.market, signal));
  if (problems.length > 0) {
    const refused = problems.some((p) => p.code === 'insufficient_funds');
    throw new UsageError(problems.map((p) => p.message).join(' ').replace(/\s+/g, ' ').trim(), refused ? EXIT.refused : EXIT.usage);
  }
  const result = await ctx.service.place(checked.intent, { source: 'cli' });
  if (result.status === 'unknown') {
    if (out.json) out.document({ mode: ctx.mode.kind, status: 'unknown', identifier: result.identifier, reason: result.reason });
    throw new UsageError(
      `The order's outcome is unknown (${result.reason}); it may have been placed. Check with: upbit-tui orders --state wait (identifier ${result.identifier}); the next command looks it up before placing anything. Do not resend it blindly.`,
      EXIT.unknown,
    );
  }
  if (out.json) out.document({ mode: ctx.mode.kind, status: 'acked', identifier: result.identifier, order: orderJson(result.order) });
  else out.lines([`Placed ${describeOrder(result.order)}.`, `uuid ${result.order.uuid}  identifier ${result.identifier}`]);
}

function orderRef(ref: string): { uuid: string } | { identifier: string } {
  return UUID.test(ref) ? { uuid: ref } : { identifier: ref };
}

// ----------------------------------------------------------------------------------------
// Registration.

export interface RegisterOptions {
  env: NodeJS.ProcessEnv;
  parseUrl: (schemes: string[]) => (v: string) => string;
  /** Bad flags exit 2; commander's own errors go through here. */
  exitOverride: (cmd: Command) => Command;
}

export function registerTradeCommands(program: Command, r: RegisterOptions): void {
  // One line on a bad flag (no help hint inherited from the root program).
  const make = (name: string, description: string): Command => r.exitOverride(addConnectionOptions(program.command(name).description(description).showHelpAfterError(false), r.parseUrl));

  make('balance', 'show the account balances').action(async (o: TradeOptions, cmd: Command) => {
    const flags = connectionFlags(cmd, o, r.env);
    await runTrading(flags, r.env, async ({ ctx, out, signal }) => {
      const balances = await ctx.venue.accounts({ signal });
      if (out.json) out.document({ mode: ctx.mode.kind, balances: balances.map(balanceJson) });
      else out.lines(balanceTable(balances));
    });
  });

  make('orders', 'list orders: open ones (default), or done/cancelled ones')
    .option('--market <code>', 'only this market, e.g. KRW-BTC', parseMarketArg)
    .addOption(new Option('--state <state>', 'wait (open), done or cancel').choices(['wait', 'done', 'cancel']).default('wait'))
    .action(async (o: TradeOptions & { market?: string; state: 'wait' | 'done' | 'cancel' }, cmd: Command) => {
      const flags = connectionFlags(cmd, o, r.env);
      await runTrading(flags, r.env, async ({ ctx, out, signal }) => {
        const query = o.market === undefined ? {} : { market: o.market };
        const orders: Order[] =
          o.state === 'wait' ? await ctx.venue.openOrders({ ...query, states: ['wait'] }, { signal }) : await ctx.venue.closedOrders({ ...query, states: [o.state] }, { signal });
        if (out.json) out.document({ mode: ctx.mode.kind, state: o.state, orders: orders.map(orderJson) });
        else out.lines(orderTable(orders));
      });
    });

  for (const side of ['bid', 'ask'] as const) {
    const verb = side === 'bid' ? 'buy' : 'sell';
    make(
      verb,
      side === 'bid' ? 'buy: --price P --volume V (limit), or --total KRW (market)' : 'sell: --volume V (market), or --volume V --price P (limit)',
    )
      .argument('<market>', 'market code, e.g. KRW-BTC', parseMarketArg)
      .option('--price <price>', 'limit price per coin (rounded onto the price grid in your favour)', parseAmountOption('--price', '95000000'))
      .option('--volume <volume>', 'amount of coin', parseAmountOption('--volume', '0.001'))
      .option('--total <krw>', 'market buy: KRW to spend', parseAmountOption('--total', '10000'))
      .action(async (market: string, o: TradeOptions & BuyFlags, cmd: Command) => {
        // Checked before anything connects or reads keys.
        const checked = intentFromFlags(side, market, o);
        const flags = connectionFlags(cmd, o, r.env);
        await runTrading(flags, r.env, (run) => placeAndReport(run, checked));
      });
  }

  make('cancel', 'cancel an order by uuid or identifier, or all of this app\'s open orders (--all-mine)')
    .argument('[ref]', 'the order\'s uuid or identifier')
    .option('--all-mine', 'cancel every open order placed by upbit-tui on this account')
    .option('--market <code>', 'with --all-mine: only this market', parseMarketArg)
    .action(async (ref: string | undefined, o: TradeOptions & { allMine?: boolean; market?: string }, cmd: Command) => {
      if ((ref === undefined) === (o.allMine !== true)) throw new UsageError('cancel needs either an order uuid/identifier or --all-mine (not both).');
      if (o.market !== undefined && o.allMine !== true) throw new UsageError('cancel --market only goes with --all-mine.');
      const flags = connectionFlags(cmd, o, r.env);
      await runTrading(flags, r.env, async ({ ctx, out }) => {
        if (ref !== undefined) {
          let order: Order;
          try {
            order = await ctx.service.cancel(orderRef(ref));
          } catch (error) {
            if (error instanceof OrderNotFoundError) throw new UsageError(`No order ${ref} on this account: check the uuid or identifier with upbit-tui orders.`, EXIT.refused, { cause: error });
            throw error;
          }
          if (out.json) out.document({ mode: ctx.mode.kind, cancelled: [orderJson(order)], failed: [] });
          else out.lines([`Cancel requested: ${describeOrder(order)}, uuid ${order.uuid}.`]);
          return;
        }
        const result = await ctx.service.cancelAllMine(o.market === undefined ? {} : { market: o.market });
        const failed = result.failed.map((f) => ({ uuid: f.uuid, error: f.error }));
        if (out.json) out.document({ mode: ctx.mode.kind, cancelled: result.cancelled.map(orderJson), failed });
        else {
          out.lines(result.cancelled.length === 0 ? ['No open orders of upbit-tui to cancel.'] : result.cancelled.map((c) => `Cancel requested: ${describeOrder(c)}, uuid ${c.uuid}.`));
        }
        if (failed.length > 0) {
          throw new UsageError(`${failed.length} order(s) could not be cancelled: ${failed.map((f) => `${f.uuid} (${f.error})`).join('; ')}`, EXIT.refused);
        }
      });
    });
}
