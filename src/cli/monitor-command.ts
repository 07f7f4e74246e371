/**
 * `upbit-tui monitor`: the stop-loss / take-profit / trailing monitor with no UI, on the same
 * core as the console (trading context, session, market feed, src/app/monitor-host.ts), for a
 * server or a tmux-less SSH box. It logs JSON lines to stdout (one event each: what it
 * watches, every rule state change, the quotation link), handles SIGINT/SIGTERM/SIGHUP like
 * the console (no new trigger at once; an order already sent is awaited and journalled; exit
 * 130/143/129), and exits non-zero with one clear line when it cannot watch:
 *
 * - 2: the command line or keys are wrong (`--live` without keys);
 * - 4: the quotation stream could not be reached for `--feed-deadline` seconds while rules
 *   are armed (a stop that cannot see prices must not look as if it protected anything);
 * - 6: another process (a console or another monitor) already fires this account's rules.
 *
 * The README has a systemd unit for it.
 */
import type { Command } from 'commander';

import { UsageError } from '../app/errors.js';
import { startMonitor } from '../app/monitor-host.js';
import { NotifyHook, Notifier } from '../app/notify.js';
import { appPaths } from '../app/paths.js';
import { openTradingContext } from '../app/trading-context.js';
import { sessionOf } from '../app/trading-session.js';
import { sleep } from '../runtime/backoff.js';
import { ensureDirectory } from '../runtime/dirs.js';
import { isCancellation } from '../runtime/errors.js';
import { MarketFeed } from '../trading/feed/index.js';
import { MarketStore } from '../trading/market-store.js';
import { startUnder } from '../trading/under-kernel.js';
import { runCommand } from './command-runner.js';
import { writeGuarded } from './output.js';
import { EXIT, addConnectionOptions, connectionFlags, toExitError, type RegisterOptions, type TradeOptions } from './trade-commands.js';

interface MonitorFlags extends TradeOptions {
  feedDeadline: number;
  staleMs: number;
  notifyCommand?: string;
}

/** One JSON line on stdout: `{"at":"…","event":"…",…}`. */
function jsonLine(event: string, fields: Record<string, unknown>): void {
  writeGuarded(process.stdout, `${JSON.stringify({ at: new Date().toISOString(), event, ...fields })}\n`);
}

export function registerMonitorCommand(program: Command, r: RegisterOptions, parseInt: (name: string, min: number, max: number) => (v: string) => number): void {
  const cmd = r.exitOverride(addConnectionOptions(program.command('monitor').description('watch and fire the stop-loss / take-profit / trailing rules with no UI; JSON lines on stdout').showHelpAfterError(false), r.parseUrl));
  cmd
    .option('--feed-deadline <seconds>', 'exit 4 when the quotation stream is unreachable this long while rules are armed', parseInt('--feed-deadline', 5, 86_400), 60)
    .option('--stale-ms <ms>', 'a price older than this (or the link down this long) is checked over REST before acting', parseInt('--stale-ms', 500, 600_000), 5_000)
    .option('--notify-command <cmd>', 'run this command on every firing, fill and failure (the notice in $UPBIT_TUI_NOTICE as JSON)')
    .action(async (o: MonitorFlags, c: Command) => {
      const flags = connectionFlags(c, o, r.env);
      await runMonitor(flags, o, r.env);
    });
}

async function runMonitor(flags: ReturnType<typeof connectionFlags>, o: MonitorFlags, env: NodeJS.ProcessEnv): Promise<void> {
  let run: AbortSignal | undefined;
  await runCommand(
    {
      logFile: appPaths(env).logFile,
      // Room for an order in flight (its drain) within each shutdown step.
      stepDeadlineMs: 15_000,
      forcedLine: 'Stopped at once: anything already sent is in the journal and is resolved by the next run.',
      failure: (error, stoppedBy) => {
        if (error === undefined) return undefined;
        // Stopped by a signal while opening: the signal's exit code, no line of failure.
        if (stoppedBy !== undefined && run !== undefined && isCancellation(error, run)) return undefined;
        return toExitError(error);
      },
    },
    async ({ kernel, logger, signal }) => {
      run = signal;
      const dataDir = ensureDirectory(flags.dataDir);
      const ctx = await openTradingContext(kernel, { ...flags, dataDir }, { env, logger, notice: (text) => jsonLine('notice', { text }), signal, drainDeadlineMs: 10_000, privateStream: true });
      const built = sessionOf(ctx, { logger, source: 'monitor', drainDeadlineMs: 10_000 });
      startUnder(kernel, built);
      const store = new MarketStore({ markets: [], logger });
      const feed = new MarketFeed({ url: ctx.quotesWsUrl, tickers: store, logger: logger.child({ component: 'quotation' }), onStatus: (s) => jsonLine('connection', { state: s.state, ...('reason' in s ? { reason: s.reason } : {}) }) });
      kernel.spawn('market-feed', (s) => feed.run(s));
      const hook = o.notifyCommand === undefined ? undefined : new NotifyHook({ command: o.notifyCommand, logger: logger.child({ component: 'notify-hook' }) });
      if (hook !== undefined) kernel.acquire('notify hook', () => hook.close());
      // Headless: no terminal to ring; the hook only.
      const notifier = new Notifier({ write: undefined, terminal: { tmux: false, osc: 'none', bell: false }, ...(hook === undefined ? {} : { hook }), logger });
      const monitor = await startMonitor(kernel, ctx, built.session, feed, {
        dataDir,
        logger,
        staleMs: o.staleMs,
        onEvent: (e) => jsonLine('rule', { kind: e.kind, rule: e.ruleId, market: e.market, text: e.text }),
        notify: (n) => notifier.notify(n),
      });
      if (!monitor.role.firing) {
        throw new UsageError(`${monitor.role.heldBy} The rules are already watched there; one process fires them.`, EXIT.busy);
      }
      jsonLine('started', { mode: ctx.mode.kind, exchange: ctx.mode.exchange, quotes: ctx.quotesWsUrl, dataDir });
      let announced = -1;
      let downSince: number | null = null;
      while (!signal.aborted) {
        const snap = monitor.store.getSnapshot();
        const armed = snap.rules.filter((s) => s.rule.state === 'armed');
        if (snap.watching && armed.length !== announced) {
          announced = armed.length;
          jsonLine('watching', { armed: armed.length, markets: [...new Set(armed.map((s) => s.rule.market))].sort() });
        }
        const live = store.connection().state === 'live';
        if (live || armed.length === 0) downSince = null;
        else downSince ??= Date.now();
        if (downSince !== null && Date.now() - downSince > o.feedDeadline * 1000) {
          throw new UsageError(
            `The quotation stream ${ctx.quotesWsUrl} has not been reachable for ${o.feedDeadline} s while ${armed.length} rule(s) are armed, so they cannot be watched; check the network (or the exchange), then start upbit-tui monitor again.`,
            EXIT.connection,
          );
        }
        try {
          await sleep(250, signal);
        } catch (error) {
          if (!isCancellation(error, signal)) throw error;
        }
      }
      jsonLine('stopping', { reason: 'signal', inFlight: monitor.inFlight() });
    },
  );
}
