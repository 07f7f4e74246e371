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
 * | 129 | the terminal hung up (SIGHUP): as for 130 |
 * | 130 | interrupted (SIGINT/SIGTERM): nothing new was sent, in-flight work was journaled |
 */
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';

import { UsageError } from '../app/errors.js';
import { appPaths } from '../app/paths.js';
import { openTradingContext, type TradingContext } from '../app/trading-context.js';
import { DirectoryError, ensureDirectory } from '../runtime/dirs.js';
import type { Logger } from '../runtime/logger.js';
import type { ShutdownSignal } from '../runtime/reason.js';
import { LockedError } from '../runtime/process-lock.js';
import { JournalError } from '../trading/journal/index.js';
import { InvalidOrderError, NotReadyError, OrderAlreadyFinishedError, OrderNotPlacedError, ShuttingDownError } from '../trading/order-errors.js';
import { PaperWalletError } from '../trading/paper/index.js';
import type { OrderIntent } from '../trading/order-service.js';
import { checkIntent, loadOrderContext } from '../trading/order-context.js';
import { awaitFills } from '../trading/await-fills.js';
import { applyKnownOrder } from '../trading/order-apply.js';
import { checkOrder, formatAmount, isOnTick, readTypedAmount, roundPrice, tickSize, type Decimal, type OrderDraft } from '../trading/money.js';
import { MarketCodeError, parseMarketCode } from '../upbit/market-code.js';
import type { Side } from '../upbit/order-types.js';
import { OrderNotFoundError, UpbitError } from '../upbit/rest/index.js';
import type { Order } from '../upbit/rest/index.js';
import { runCommand } from './command-runner.js';
import { balanceJson, balanceTable, createOutput, describeOrder, describePlaced, orderJson, orderTable, type Output } from './output.js';

export const EXIT = { ok: 0, bug: 1, usage: 2, refused: 3, connection: 4, unknown: 5, busy: 6, hangup: 129, interrupted: 130 } as const;

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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseMarketArg(value: string): string {
  try {
    return parseMarketCode(value);
  } catch (error) {
    if (error instanceof MarketCodeError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}

/**
 * A positive amount as typed (`0.001`, `1,000,000`); signs, exponents and zero are refused,
 * and so is any use of separators that could mean two numbers (`0,001`), in the parser's words.
 */
export function parseAmountOption(flag: string, example: string) {
  return (value: string): Decimal => {
    const read = readTypedAmount(value);
    if (!read.ok && read.kind !== 'not-a-number') throw new InvalidArgumentError(`${flag} ${read.message}`);
    if (!read.ok || read.value.isZero()) throw new InvalidArgumentError(`${flag} must be a positive number such as ${example} (got "${value}").`);
    return read.value;
  };
}

export interface ConnectionFlags {
  sim: boolean;
  paper: boolean;
  live: boolean;
  apiUrl: string | undefined;
  dataDir: string;
  keyFile: string | undefined;
  json: boolean;
  /** Markets the command names (`buy`/`sell`'s argument, `--market`): checked against the exchange's list before anything is sent. */
  markets: string[];
}

/**
 * The command's own flags, with `--sim`, `--api-url` and `--ws-url` also read from before the
 * command name (`upbit-tui --sim balance`) when typed there.
 */
export function connectionFlags(cmd: Command, o: TradeOptions & { market?: string }, env: NodeJS.ProcessEnv, markets: string[] = o.market === undefined ? [] : [o.market]): ConnectionFlags {
  // Any command above it (`upbit-tui --sim rules list`: the root, two levels up).
  const fromParent = <T>(key: string): T | undefined => {
    for (let up = cmd.parent; up !== null; up = up.parent) if (up.getOptionValueSource(key) === 'cli') return up.getOptionValue(key) as T;
    return undefined;
  };
  return {
    sim: o.sim === true || fromParent<boolean>('sim') === true,
    paper: o.paper === true,
    live: o.live === true,
    apiUrl: o.apiUrl ?? fromParent<string>('apiUrl'),
    dataDir: o.dataDir === undefined ? appPaths(env).dataDir : pathFlag('--data-dir', o.dataDir, 'DIR'),
    keyFile: o.keyFile === undefined ? undefined : pathFlag('--key-file', o.keyFile, 'FILE'),
    json: o.json === true,
    markets,
  };
}

/**
 * A path flag's value as typed. Commander takes the next word whatever it is, so
 * `--data-dir --live` would make a directory named `--live`, and `--data-dir ""` the current one.
 */
export function pathFlag(flag: string, value: string, meta: string): string {
  if (value.trim() === '') throw new UsageError(`${flag} needs a path (it was given an empty one): write ${flag} ${meta}, or leave the flag out.`);
  if (value.startsWith('-')) {
    throw new UsageError(`${flag} needs a path, but the next word is the flag ${value}: write ${flag} ${meta}${value === '--' ? '' : ` ${value}`} (for a path that starts with "-", write ./${value}).`);
  }
  return value;
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
  intent: OrderIntent;
  /** Said on stderr: e.g. the price was rounded onto the grid. */
  notes: string[];
}

/**
 * The order to send for `buy`/`sell`, or a {@link UsageError} naming the fix. A price off the
 * price grid is rounded in the user's favour (buys down, sells up) and the rounding is said,
 * since the rounded order is never worse than the one typed.
 */
export function intentFromFlags(side: Side, market: string, f: BuyFlags | SellFlags): CheckedIntent {
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
  let price = f.price;
  if (draft.ordType === 'limit' && f.price !== undefined && !isOnTick(market, f.price)) {
    const rounded = roundPrice(market, side, f.price);
    if (!rounded.isZero()) {
      notes.push(
        `price ${formatAmount(f.price)} is not on ${market}'s ${formatAmount(tickSize(market, f.price))} price step; rounded ${side === 'bid' ? 'down' : 'up'} to ${formatAmount(rounded)} (in your favour).`,
      );
      price = rounded;
      draft = { ...draft, price: rounded };
    }
  }
  const problems = checkOrder(draft);
  const first = problems[0];
  if (first !== undefined) throw new UsageError(`${verb} ${market}: ${problems.map((p) => p.message).join(' ')}`.replace(/\s+/g, ' ').trim(), 2);
  // The market buy's KRW stays `total` here; only the wire calls it `price` (order-request.ts).
  let intent: OrderIntent | undefined;
  if (draft.ordType === 'price' && f.total !== undefined) intent = { market, side: 'bid', ordType: 'price', total: f.total };
  else if (draft.ordType === 'limit' && price !== undefined && f.volume !== undefined) intent = { market, side, ordType: 'limit', price, volume: f.volume };
  else if (draft.ordType === 'market' && f.volume !== undefined) intent = { market, side: 'ask', ordType: 'market', volume: f.volume };
  if (intent === undefined) throw new Error(`bug: ${verb} ${market} passed the check without its amounts`);
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
  if (error instanceof OrderAlreadyFinishedError) return new UsageError(error.message, EXIT.refused, { cause: error });
  // Its message already names the identifier and says it is safe to place again: said once.
  if (error instanceof OrderNotPlacedError) return new UsageError(error.message, EXIT.connection, { cause: error });
  if (error instanceof JournalError || error instanceof PaperWalletError) return new UsageError(error.message, EXIT.bug, { cause: error });
  if (error instanceof DirectoryError) return new UsageError(`The directory ${error.message}. Fix it, or pass --data-dir a writable directory.`, EXIT.usage, { cause: error });
  return error;
}

/** How long an interrupted command waits for an order already on the wire. */
const DRAIN_MS = 10_000;

interface RunContext {
  ctx: TradingContext;
  out: Output;
  signal: AbortSignal;
  log: Logger;
}

/**
 * Run `body` on the trading context as a short-lived kernel (see ./command-runner.ts). SIGINT,
 * SIGTERM and SIGHUP (the terminal hung up: an SSH drop) go to the kernel, which aborts the
 * run's signal: no new order from that moment; an order already sent is awaited (up to
 * DRAIN_MS from the signal) and journaled, then the command fails with
 * 130 (129 for SIGHUP). A second SIGINT or SIGTERM ends it at once (the journal still has the
 * attempt, resolved on the next run).
 */
export function runTrading(flags: ConnectionFlags, env: NodeJS.ProcessEnv, body: (r: RunContext) => Promise<void>): Promise<void> {
  const out = createOutput(flags.json);
  let ctx: TradingContext | undefined;
  const interrupted = (signal: ShutdownSignal): number => (signal === 'SIGHUP' ? EXIT.hangup : EXIT.interrupted);
  return runCommand(
    {
      logFile: appPaths(env).logFile,
      signalExitCodes: { SIGTERM: EXIT.interrupted },
      // The command's task ends within the drain (plus its abort grace) after a signal.
      stepDeadlineMs: DRAIN_MS + 5_000,
      forcedLine: 'Stopped at once: anything already sent is in the journal and is resolved by the next command.',
      failure: (error, stoppedBy) => {
        if (stoppedBy !== undefined) {
          return error === undefined
            ? new UsageError('Interrupted after the command finished its work; nothing else was sent.', interrupted(stoppedBy))
            : new UsageError('Interrupted: no new order was sent; anything already sent is in the journal and is resolved on the next run.', interrupted(stoppedBy), { cause: error });
        }
        if (error === undefined) return undefined;
        // The built-in exchange refused a change it could not save: that, not its 503, is the news.
        return ctx?.stateProblem() ?? toExitError(error);
      },
    },
    async ({ kernel, logger: log, signal }) => {
      const dataDir = checkDataDir(flags.dataDir);
      const opened = await openTradingContext(kernel, { ...flags, dataDir }, { env, logger: log, notice: (line) => out.notice(line), signal, drainDeadlineMs: DRAIN_MS });
      ctx = opened;
      // From the signal on, no new order, and the drain's deadline runs from the signal: an
      // order on the wire is awaited up to DRAIN_MS, then journaled unknown and given up, so
      // this task ends within the kernel's step deadline. The release 'order service' awaits the same drain.
      const stopTaking = (): void => {
        opened.service.drain(DRAIN_MS).catch((error: unknown) => log.error({ err: error }, 'draining the order service failed'));
      };
      if (signal.aborted) stopTaking();
      else signal.addEventListener('abort', stopTaking, { once: true });
      try {
        await checkMarkets(opened, flags.markets, out, signal);
        await body({ ctx: opened, out: withRecovered(out, opened.recovered), signal, log });
      } finally {
        signal.removeEventListener('abort', stopTaking);
      }
    },
  );
}

/** `--data-dir`, made and checked before anything opens in it (exit 2 when unusable). */
function checkDataDir(dir: string): string {
  try {
    return ensureDirectory(dir);
  } catch (error) {
    if (error instanceof DirectoryError) {
      throw new UsageError(`The data directory ${dir} cannot be used: ${error.problem}. Pass --data-dir a writable directory, or fix this one.`, EXIT.usage, { cause: error });
    }
    throw error;
  }
}

/** Every `--json` document of a run carries what its start-up recovery found (`"recovered": [...]`, often empty). */
function withRecovered(out: Output, recovered: TradingContext['recovered']): Output {
  return { ...out, document: (value) => out.document(typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value, recovered } : value) };
}

/**
 * The markets a command names, looked up in the exchange's list before anything is sent: an
 * unknown one is refused with the same line in every mode (exit 2). Without a list (the
 * exchange unreachable) it is said, and the exchange's own answer decides.
 */
async function checkMarkets(ctx: TradingContext, markets: readonly string[], out: Output, signal: AbortSignal): Promise<void> {
  const unchecked = await ctx.markets.check(markets, signal);
  if (unchecked !== null) out.notice(`could not check ${unchecked.unverified.join(', ')} against the market list of ${ctx.markets.where} (see the log); going on without it.`);
}

async function placeAndReport({ ctx, out, signal, log }: RunContext, checked: CheckedIntent): Promise<void> {
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
    throw new UsageError(unknownOutcomeMessage(result.identifier, result.reason), EXIT.unknown);
  }
  // The POST answer comes before matching: read the order back briefly to say what it filled.
  const filled = await awaitFills(ctx.venue, result.order, { signal });
  log.info({ identifier: result.identifier, state: filled.order.state, refreshed: filled.refreshed, waitedMs: filled.waitedMs, problem: filled.problem }, 'order read back after placing');
  if (filled.refreshed) journalFills(ctx, log, filled.order);
  if (out.json) {
    out.document({ mode: ctx.mode.kind, status: 'acked', identifier: result.identifier, order: orderJson(filled.order), refreshed: filled.refreshed });
  } else {
    out.lines([describePlaced(filled.order, { waitedMs: filled.waitedMs, problem: filled.problem }), `uuid ${result.order.uuid}  identifier ${result.identifier}`]);
  }
}

/** The fills just read go to the journal too; a failure here loses nothing (the next run's refresh reads them again). */
function journalFills(ctx: TradingContext, log: Logger, order: Order): void {
  try {
    applyKnownOrder({ venue: ctx.venue, journal: ctx.journal, log }, order);
  } catch (error) {
    log.warn({ err: error, uuid: order.uuid }, 'could not journal the fills read after placing; the next run refreshes them');
  }
}

/**
 * The one line for an order whose outcome is unknown (exit 5): what happened, then what to do,
 * each said once. `reason` (kept whole in `--json` and the log) is the client's sentence, which
 * carries its own advice ("look it up by its identifier"); only its first clause, the fact, is
 * used here, since the advice below says the same with the command to run.
 */
export function unknownOutcomeMessage(identifier: string, reason: string): string {
  const fact = (reason.split(/; | \(still unresolved/)[0] ?? reason)
    .replace(`Order ${identifier} `, 'it ')
    .replace(` to order ${identifier}`, '')
    .replace(/[.\s]+$/, '');
  return `The order's outcome is unknown: ${fact}, and looking it up by its identifier did not settle it. It may have been placed: check with upbit-tui orders --state wait (identifier ${identifier}); the next command looks it up before placing anything, so do not place it again meanwhile.`;
}

/**
 * Said with `orders --state done`: a filled market buy by KRW is not there. Upbit ends one
 * `cancel` once the remainder it cannot spend is refunded; only an exact fill ends `done`
 * (https://docs.upbit.com/kr/v1.6.4/reference/list-closed-orders).
 */
export const MARKET_BUY_FILED_AS_CANCEL =
  'market buys by KRW (--total) are not listed as done even when filled: Upbit ends them "cancel" once the remainder it cannot spend is refunded. See them with upbit-tui orders --state cancel.';

/** `Cancelled` when the exchange already shows it so (a lost answer looked up), else `Cancel requested` (it completes just after). */
function cancelVerb(order: Order): string {
  return order.state === 'cancel' ? 'Cancelled' : 'Cancel requested';
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
    .addOption(new Option('--state <state>', 'wait (open), done or cancel (filled market buys by KRW are under cancel, as Upbit files them)').choices(['wait', 'done', 'cancel']).default('wait'))
    .action(async (o: TradeOptions & { market?: string; state: 'wait' | 'done' | 'cancel' }, cmd: Command) => {
      const flags = connectionFlags(cmd, o, r.env);
      await runTrading(flags, r.env, async ({ ctx, out, signal }) => {
        const query = o.market === undefined ? {} : { market: o.market };
        const orders: Order[] =
          o.state === 'wait' ? await ctx.venue.openOrders({ ...query, states: ['wait'] }, { signal }) : await ctx.venue.closedOrders({ ...query, states: [o.state] }, { signal });
        if (o.state === 'done') out.notice(MARKET_BUY_FILED_AS_CANCEL);
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
        const flags = connectionFlags(cmd, o, r.env, [market]);
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
          else out.lines([`${cancelVerb(order)}: ${describeOrder(order)}, uuid ${order.uuid}.`]);
          return;
        }
        const result = await ctx.service.cancelAllMine(o.market === undefined ? {} : { market: o.market });
        const failed = result.failed.map((f) => ({ uuid: f.uuid, error: f.error }));
        if (out.json) out.document({ mode: ctx.mode.kind, cancelled: result.cancelled.map(orderJson), failed });
        else {
          out.lines(result.cancelled.length === 0 ? ['No open orders of upbit-tui to cancel.'] : result.cancelled.map((c) => `${cancelVerb(c)}: ${describeOrder(c)}, uuid ${c.uuid}.`));
        }
        if (failed.length > 0) {
          throw new UsageError(`${failed.length} order(s) could not be cancelled: ${failed.map((f) => `${f.uuid} (${f.error})`).join('; ')}`, EXIT.refused);
        }
      });
    });
}
