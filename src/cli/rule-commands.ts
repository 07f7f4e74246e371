/**
 * `upbit-tui rules list|add|rm|arm|disarm`: the monitor's rules from the command line, through
 * the one RuleBook (src/trading/monitor/rule-book.ts) on the trading context's journal, with
 * the trading commands' connection flags and data directory. The rules are fired by a running
 * console or `upbit-tui monitor`; `list` and `add` say so when neither runs.
 *
 *   upbit-tui rules add KRW-BTC --stop-loss -3% --take-profit 95000000 --trailing 2% --sim
 */
import { InvalidArgumentError, type Command } from 'commander';

import { UsageError } from '../app/errors.js';
import { monitorLockKey } from '../app/monitor-host.js';
import { LockedError } from '../runtime/process-lock.js';
import { Money, formatAmount, plain, type Decimal } from '../trading/decimal.js';
import { RuleNotFoundError, RuleStateError } from '../trading/journal/index.js';
import { acquireMonitorLock } from '../trading/monitor-lock.js';
import { levelOf, FRESH_WATCH } from '../trading/monitor/rule-eval.js';
import {
  RuleBook,
  RuleSpecError,
  parseLevel,
  parseOffset,
  parseSize,
  parseTrail,
  sizeText,
  triggerText,
  type RuleAction,
  type RuleDefinition,
  type RuleView,
  type SellSize,
} from '../trading/monitor/rule-book.js';
import type { Level, Trail } from '../trading/monitor/rule-eval.js';
import { EXIT, addConnectionOptions, connectionFlags, parseMarketArg, runTrading, type RegisterOptions, type TradeOptions } from './trade-commands.js';

/** A rule-book parser as a commander option parser: its message, exit 2. */
function option<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (error) {
      if (error instanceof RuleSpecError) throw new InvalidArgumentError(error.message);
      throw error;
    }
  };
}

function ruleId(text: string, previous: number[] = []): number[] {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${text}" is not a rule id: ids are whole numbers from 1, as \`upbit-tui rules list\` shows them.`);
  return [...previous, n];
}

function count(flag: string) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0 || n > 86_400_000) throw new InvalidArgumentError(`${flag} must be a whole number from 0 (got "${text}").`);
    return n;
  };
}

interface AddFlags extends TradeOptions {
  stopLoss?: Level;
  takeProfit?: Level;
  trailing?: Trail;
  activation?: Level;
  size: SellSize;
  source: 'trade' | 'bid';
  limitOffset?: RuleAction;
  confirmTicks?: number;
  confirmMs?: number;
  oco?: string;
  disarmed?: boolean;
}

/** The rule definitions `rules add` asks for, checked before anything connects. */
export function definitionsOf(market: string, f: AddFlags): RuleDefinition[] {
  if (f.activation !== undefined && f.trailing === undefined) throw new UsageError('rules add --activation goes with --trailing (the price from which the trailing stop follows).');
  const base = {
    market,
    size: f.size,
    source: f.source,
    action: f.limitOffset ?? ({ kind: 'market' } as const),
    oco: f.oco ?? null,
    confirm: { ...(f.confirmTicks === undefined ? {} : { ticks: f.confirmTicks }), ...(f.confirmMs === undefined ? {} : { ms: f.confirmMs }) },
  };
  const defs: RuleDefinition[] = [];
  if (f.stopLoss !== undefined) defs.push({ ...base, trigger: { kind: 'stop-loss', at: f.stopLoss } });
  if (f.takeProfit !== undefined) defs.push({ ...base, trigger: { kind: 'take-profit', at: f.takeProfit } });
  if (f.trailing !== undefined) defs.push({ ...base, trigger: { kind: 'trailing', trail: f.trailing, ...(f.activation === undefined ? {} : { activation: f.activation }) } });
  if (defs.length === 0) throw new UsageError(`rules add ${market} needs at least one of --stop-loss, --take-profit or --trailing, e.g. --stop-loss -3%.`);
  return defs;
}

/** The level a rule fires at now (a trailing stop's under its mark; null before it has one). */
function levelNow(r: RuleView): Decimal | null {
  return r.resolved === null ? null : levelOf(r.resolved, { ...FRESH_WATCH, highWater: r.highWater });
}

export function ruleJson(r: RuleView): Record<string, unknown> {
  const level = levelNow(r);
  return {
    id: r.id,
    market: r.market,
    kind: r.def.trigger.kind,
    trigger: triggerText(r.def.trigger),
    level: level === null ? null : plain(level),
    size: sizeText(r.def.size),
    source: r.def.source,
    action: r.def.action.kind === 'market' ? 'market' : `limit -${plain(r.def.action.offsetPercent)}%`,
    oco: r.def.oco,
    state: r.state,
    reason: r.reason,
    highWater: r.highWater === null ? null : plain(r.highWater),
    intentId: r.intentId,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
  };
}

/** One line a rule: `3  KRW-BTC  stop-loss -3%  at 92,150,000  sell all  armed  (group-3)`. */
export function ruleLine(r: RuleView): string {
  const level = levelNow(r);
  const at = level === null ? 'not active yet' : `at ${formatAmount(level, 0)}`;
  const extra = [r.def.source === 'bid' ? 'on the best bid' : null, r.def.action.kind === 'limit' ? `limit ${plain(r.def.action.offsetPercent)}% under` : null, r.def.oco === null ? null : r.def.oco].filter((x) => x !== null);
  const why = r.state === 'armed' || r.reason === null ? '' : `: ${r.reason}`;
  return `${String(r.id).padStart(3)}  ${r.market}  ${triggerText(r.def.trigger)}  ${at}  sell ${sizeText(r.def.size)}  ${r.state}${extra.length === 0 ? '' : `  (${extra.join(', ')})`}${why}`;
}

/** A RuleBook refusal as the command's one line: bad input exit 2, a state that refuses exit 3. */
function refusal(error: unknown): unknown {
  if (error instanceof RuleSpecError || error instanceof RuleNotFoundError) return new UsageError(error.message, EXIT.usage, { cause: error });
  if (error instanceof RuleStateError) return new UsageError(error.message, EXIT.refused, { cause: error });
  return error;
}

export function registerRuleCommands(program: Command, r: RegisterOptions): void {
  const rules = program.command('rules').description('stop-loss / take-profit / trailing rules fired by a running console or upbit-tui monitor: list, add, rm, arm, disarm');
  const make = (name: string, description: string): Command => r.exitOverride(addConnectionOptions(rules.command(name).description(description).showHelpAfterError(false), r.parseUrl));

  make('list', 'list the rules with their state and level')
    .option('--market <code>', 'only this market, e.g. KRW-BTC', parseMarketArg)
    .action(async (o: TradeOptions & { market?: string }, cmd: Command) => {
      const flags = connectionFlags(cmd, o, r.env);
      await runTrading(flags, r.env, async ({ ctx, out }) => {
        const list = new RuleBook(ctx.journal).list().filter((x) => o.market === undefined || x.market === o.market);
        if (out.json) out.document({ mode: ctx.mode.kind, rules: list.map(ruleJson) });
        else out.lines(list.length === 0 ? ['No rules. Add one with upbit-tui rules add KRW-BTC --stop-loss -3%.'] : list.map(ruleLine));
        if (list.some((x) => x.state === 'armed')) await sayWhetherWatched(ctx, out, flags.dataDir);
      });
    });

  make('add', 'add rules on a market: --stop-loss, --take-profit and/or --trailing (added together: one OCO group)')
    .argument('<market>', 'market code, e.g. KRW-BTC', parseMarketArg)
    .option('--stop-loss <level>', 'a price (94000000) or a percent under the average buy price (-3%)', option((t) => parseLevel(t, 'stop-loss')))
    .option('--take-profit <level>', 'a price (105000000) or a percent over the average buy price (5%)', option((t) => parseLevel(t, 'take-profit')))
    .option('--trailing <trail>', 'follow the high and fire this far under it: 2% or 500000KRW', option(parseTrail))
    .option('--activation <level>', 'with --trailing: follow only from this price (or percent) on', option((t) => parseLevel(t, 'activation')))
    .option('--size <size>', 'what to sell when it fires: all, a percent of the holding (50%), or a volume (0.01)', option(parseSize), { kind: 'all' } as SellSize)
    .option('--source <price>', 'the price it watches: trade (the last trade) or bid (the best bid)', (t: string) => {
      if (t !== 'trade' && t !== 'bid') throw new InvalidArgumentError(`--source is trade or bid (got "${t}").`);
      return t;
    }, 'trade')
    .option('--limit-offset <percent>', 'send a limit sell this far under the crossing price (0.5%) instead of a market sell', option(parseOffset))
    .option('--confirm-ticks <n>', 'fire only once the condition held for N ticks in a row', count('--confirm-ticks'))
    .option('--confirm-ms <ms>', 'fire only once the condition held this long', count('--confirm-ms'))
    .option('--oco <name>', 'one-cancels-other group: when one of its rules fires, the others disarm')
    .option('--disarmed', 'add them disarmed (arm later with rules arm)')
    .action(async (market: string, o: AddFlags, cmd: Command) => {
      const defs = definitionsOf(market, o);
      const flags = connectionFlags(cmd, o, r.env, [market]);
      await runTrading(flags, r.env, async ({ ctx, out, signal }) => {
        const balances = await ctx.venue.accounts({ signal });
        const [, base = ''] = market.split('-');
        const held = balances.find((b) => b.currency === base);
        const avg = (): Decimal | null => (held === undefined || held.avgBuyPrice.isZero() ? null : new Money(held.avgBuyPrice));
        let added: RuleView[];
        try {
          added = new RuleBook(ctx.journal).add(defs, { arm: o.disarmed !== true, avgBuyPrice: avg });
        } catch (error) {
          throw refusal(error);
        }
        if (held === undefined || held.balance.plus(held.locked).isZero()) {
          out.notice(`the account holds no ${base} now: a monitor that starts while it holds none disarms these rules (a rule protects a position).`);
        }
        if (out.json) out.document({ mode: ctx.mode.kind, rules: added.map(ruleJson) });
        else out.lines(added.map(ruleLine));
        if (added.some((x) => x.state === 'armed')) await sayWhetherWatched(ctx, out, flags.dataDir);
      });
    });

  for (const [name, description] of [
    ['rm', 'remove rules (not while their order is being placed or open)'],
    ['arm', 'arm rules again (percents resolved against the average buy price now)'],
    ['disarm', 'disarm rules (or every armed rule with --all)'],
  ] as const) {
    const c = make(name, description).argument(name === 'disarm' ? '[ids...]' : '<ids...>', 'rule ids, as rules list shows them');
    if (name === 'disarm') c.option('--all', 'every armed rule');
    c.action(async (idsText: string[] | undefined, o: TradeOptions & { all?: boolean }, cmd: Command) => {
      const ids = (idsText ?? []).reduce<number[]>((acc, t) => ruleId(t, acc), []);
      if (name === 'disarm' && (ids.length === 0) === (o.all !== true)) throw new UsageError('rules disarm needs rule ids or --all (not both).');
      await runTrading(connectionFlags(cmd, o, r.env), r.env, async ({ ctx, out, signal }) => {
        const book = new RuleBook(ctx.journal);
        let changed: RuleView[] = [];
        try {
          if (name === 'disarm' && o.all === true) changed = book.disarmAll();
          else if (name === 'arm') {
            const balances = await ctx.venue.accounts({ signal });
            const avg = (market: string): Decimal | null => {
              const b = balances.find((x) => x.currency === market.split('-')[1]);
              return b === undefined || b.avgBuyPrice.isZero() ? null : new Money(b.avgBuyPrice);
            };
            changed = ids.map((id) => book.arm(id, avg));
          } else changed = ids.map((id) => (name === 'rm' ? book.remove(id) : book.disarm(id)));
        } catch (error) {
          throw refusal(error);
        }
        const verb = name === 'rm' ? 'removed' : name === 'arm' ? 'armed' : 'disarmed';
        if (out.json) out.document({ mode: ctx.mode.kind, [verb]: changed.map(ruleJson) });
        else out.lines(changed.length === 0 ? [`No rules ${verb}.`] : changed.map((x) => `${verb}: ${ruleLine(x)}`));
      });
    });
  }
}

/** Armed rules fire only while a console or a monitor runs for the account: say so when none does. */
async function sayWhetherWatched(ctx: Parameters<typeof monitorLockKey>[0], out: { notice(line: string): void }, dataDir: string): Promise<void> {
  try {
    const lock = await acquireMonitorLock(dataDir, { key: monitorLockKey(ctx), what: 'the rules', command: 'upbit-tui rules' });
    lock.release();
    out.notice('no upbit-tui console or monitor is running for this account: armed rules fire only while one runs (upbit-tui monitor keeps them watched with no UI).');
  } catch (error) {
    if (!(error instanceof LockedError)) throw error;
  }
}

