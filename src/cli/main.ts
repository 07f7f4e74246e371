import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { UsageError } from '../app/errors.js';
import { appPaths } from '../app/paths.js';
import { resolveTradingMode } from '../app/trading-mode.js';
import { endAfterHangup } from '../runtime/exit.js';
import { applyHeapPolicy } from '../runtime/heap-policy.js';
import { SIGNAL_EXIT_CODES } from '../runtime/reason.js';
import { DEFAULT_MARKETS, MarketCodeError, parseMarketList } from '../upbit/market-code.js';
import { reportOutputFailure } from './command-runner.js';
import { guardStream, writeGuarded } from './output.js';
import type { SimFaultFlags } from './sim-command.js';
import { DEFAULT_SIM_KRW, parseErrorStatusOption, parseKrwOption, parseRateOption, runSimCommand } from './sim-command.js';
import { keysHelp } from './key-help.js';
import { pathFlag, registerTradeCommands } from './trade-commands.js';
import { registerMonitorCommand } from './monitor-command.js';
import { registerRuleCommands } from './rule-commands.js';
import { applyUsageErrors } from './usage-errors.js';

const DEFAULT_WS_URL = 'wss://api.upbit.com/websocket/v1';
const DEFAULT_API_URL = 'https://api.upbit.com';
const TRADE_PASSED_DOWN: ReadonlySet<string> = new Set(['sim', 'apiUrl', 'wsUrl']);

function packageVersion(): string {
  const raw: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return typeof raw === 'object' && raw !== null && 'version' in raw && typeof raw.version === 'string' ? raw.version : '0.0.0';
}

export function parseMarketsOption(value: string): string[] {
  try {
    return parseMarketList(value);
  } catch (error) {
    if (error instanceof MarketCodeError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}

export function parseIntOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}.`);
    }
    return n;
  };
}

export function parseUrlOption(schemes: string[]) {
  return (value: string): string => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new InvalidArgumentError(`"${value}" is not a URL. Example: ${schemes[0]}://127.0.0.1:8080`);
    }
    if (!schemes.includes(url.protocol.replace(':', ''))) {
      throw new InvalidArgumentError(`"${value}" must start with ${schemes.map((s) => `${s}://`).join(' or ')}.`);
    }
    return value;
  };
}

/**
 * The mode flags' contradictions, with the trading commands' words (`resolveTradingMode`), so
 * they are said before the TUI takes the terminal; keys are looked at when the session opens.
 */
function checkTuiTradingFlags(o: { sim: boolean; paper?: boolean; live?: boolean }): void {
  resolveTradingMode({ sim: o.sim, paper: o.paper === true, live: o.live === true, apiUrl: undefined, hasKeys: true });
}

export function buildProgram(env: NodeJS.ProcessEnv = process.env): Command {
  const paths = appPaths(env);
  const program = new Command('upbit-tui')
    .description('A terminal trading console for the Upbit exchange. Live tickers over WebSocket; --sim runs a built-in exchange offline.')
    .version(packageVersion(), '-V, --version')
    .option('--sim', 'start the built-in Upbit-compatible exchange and connect to it (offline, no keys); trade on it', false)
    .option('--paper', 'paper trading: fill locally against live (or --sim) quotes (the default without --live)')
    .option('--live', 'real orders on Upbit (needs API keys); the status bar says LIVE')
    .option('--key-file <file>', 'API keys as JSON {"access_key","secret_key"}, mode 0600 (instead of UPBIT_ACCESS_KEY/UPBIT_SECRET_KEY)')
    .option('--markets <codes>', 'comma-separated market codes', parseMarketsOption, [...DEFAULT_MARKETS])
    .option('--ws-url <url>', 'quotation WebSocket URL', parseUrlOption(['wss', 'ws']), DEFAULT_WS_URL)
    .option('--api-url <url>', 'REST base URL (checks --markets; trading goes there when given)', parseUrlOption(['https', 'http']), DEFAULT_API_URL)
    .addOption(new Option('--colors <convention>', 'price colours: korean (rise red, fall blue) or global (rise green, fall red)').choices(['korean', 'global']).default('korean'))
    .option('--no-color', 'no colours at all (so does a non-empty NO_COLOR, unless FORCE_COLOR is set)')
    .option('--seed <n>', 'seed of the built-in exchange (--sim)', parseIntOption('--seed', 0, 2 ** 31 - 1))
    .option('--data-dir <dir>', 'journals, paper wallet and built-in exchange state (--sim), shared with the trading commands')
    // For the TUI load benchmark (bench/tui-load.ts): a JSON line of counters a second.
    .addOption(new Option('--metrics-file <file>', 'write render and loop counters to FILE, one JSON line a second').hideHelp())
    .option('--notify-command <cmd>', 'run this command when a rule fires, fills or fails (the notice in $UPBIT_TUI_NOTICE as JSON)')
    .addHelpText(
      'after',
      `
${keysHelp()}

Files:
  config    ${paths.configFile} (read, never written: docs/configuration.md)
  log       ${paths.logFile}

Examples:
  upbit-tui --sim                             live KRW-BTC and KRW-ETH from the built-in exchange
  upbit-tui --markets KRW-BTC,KRW-ETH,KRW-XRP quotes from api.upbit.com (no keys needed)
  upbit-tui sim --port 8080                   run the built-in exchange on its own
  upbit-tui balance --sim                     balances on the built-in exchange (also: orders, buy, sell, cancel)`,
    )
    .enablePositionalOptions()
    .action(async (o: { sim: boolean; paper?: boolean; live?: boolean; keyFile?: string; markets: string[]; wsUrl: string; apiUrl: string; colors: 'korean' | 'global'; color: boolean; seed?: number; dataDir?: string; metricsFile?: string; notifyCommand?: string }, command: Command) => {
      // The trading commands' contradictions, refused before the terminal is taken over.
      checkTuiTradingFlags(o);
      if (!process.stdout.isTTY || !process.stdin.isTTY) {
        throw new UsageError('the TUI needs an interactive terminal (stdin and stdout must be a TTY). For scripts, use the subcommands, e.g. upbit-tui sim.');
      }
      const { startTui } = await import('../app/tui.js');
      const { applyColorMode, decideColorMode } = await import('../ui/theme.js');
      const { loadConfig, describeConfigProblem } = await import('../app/config.js');
      const { initialWatchlist, openWatchlistState } = await import('../app/watchlist-state.js');
      const { remapKeys } = await import('../ui/keymap.js');
      // The config file is read, never written; each bad key is said and gets its default.
      const loaded = loadConfig(paths.configFile);
      const config = loaded.config;
      const keys = remapKeys(config.keys);
      const problems = [...loaded.problems, ...keys.problems.map((p) => ({ file: loaded.file, ...p }))].map(describeConfigProblem);
      // The command line wins over the config file: --no-color and --colors, then its `colors`.
      const fromCli = (name: string): boolean => command.getOptionValueSource(name) === 'cli';
      const convention = fromCli('colors') || config.colors === undefined || config.colors === 'none' ? o.colors : config.colors;
      const colors = decideColorMode({ convention, color: o.color && (fromCli('colors') || config.colors !== 'none'), env });
      applyColorMode(colors);
      const dataDir = o.dataDir === undefined ? paths.dataDir : pathFlag('--data-dir', o.dataDir, 'DIR');
      const state = openWatchlistState(dataDir);
      const saved = state.load();
      if (saved.problem !== undefined) problems.push(saved.problem);
      const watch = initialWatchlist({ flag: fromCli('markets') ? o.markets : undefined, saved: saved.markets, config: config.watchlist, fallback: DEFAULT_MARKETS });
      await startTui({
        markets: watch.markets,
        marketsFromFlag: watch.source === 'flag',
        watchlistState: watch.persist ? state : null,
        config: { keys: keys.table, palette: config.theme, problems, ticket: { orderType: config.orderType, quickSizes: config.quickSizes } },
        sim: o.sim,
        dataDir,
        seed: o.seed,
        wsUrl: o.wsUrl,
        wsUrlChosen: command.getOptionValueSource('wsUrl') === 'cli',
        apiUrl: o.apiUrl,
        colors,
        logFile: paths.logFile,
        ...(o.metricsFile === undefined ? {} : { metricsFile: pathFlag('--metrics-file', o.metricsFile, 'FILE') }),
        ...(o.notifyCommand === undefined ? {} : { notifyCommand: o.notifyCommand }),
        trading: {
          paper: o.paper === true,
          live: o.live === true,
          keyFile: o.keyFile === undefined ? undefined : pathFlag('--key-file', o.keyFile, 'FILE'),
          apiUrlChosen: command.getOptionValueSource('apiUrl') === 'cli',
        },
      });
    });

  program
    .command('sim')
    .description('run the built-in Upbit-compatible exchange on loopback until SIGINT/SIGTERM')
    .option('--port <n>', 'TCP port (0 picks a free one)', parseIntOption('--port', 0, 65535), 0)
    .option('--host <host>', 'address to listen on (loopback only)', '127.0.0.1')
    .option('--seed <n>', 'price process seed', parseIntOption('--seed', 0, 2 ** 31 - 1))
    .option('--markets <codes>', 'only these markets (default: all built-in markets)', parseMarketsOption)
    .option('--krw <amount>', 'KRW a new account starts with', parseKrwOption, DEFAULT_SIM_KRW)
    .option('--state <file>', 'keep accounts and orders in FILE across restarts (created if missing)')
    .option('--script <file>', 'scripted prices: JSON {"KRW-BTC": [[offset_ms, price], ...]} or CSV offset_ms,market,price')
    .option('--fault-seed <n>', 'seed of the fault draws (same seed, same faults)', parseIntOption('--fault-seed', 0, 2 ** 31 - 1))
    .option('--latency-ms <n>', 'added latency on every REST request and WebSocket frame', parseIntOption('--latency-ms', 0, 60_000))
    .option('--drop-before-rate <p>', 'probability of dropping a REST request unprocessed', parseRateOption('--drop-before-rate'))
    .option('--drop-after-rate <p>', 'probability of processing a REST request and dropping the answer', parseRateOption('--drop-after-rate'))
    .option('--reset-rate <p>', 'probability of resetting the connection (ECONNRESET)', parseRateOption('--reset-rate'))
    .option('--error-rate <p>', 'probability of a 5xx answer (see --error-status)', parseRateOption('--error-rate'))
    .option('--error-status <code>', 'status of --error-rate answers: 500, 502 or 503', parseErrorStatusOption, 500)
    .option('--rate-429 <p>', 'probability of a forced 429', parseRateOption('--rate-429'))
    .option('--rate-418 <p>', 'probability of a forced 418', parseRateOption('--rate-418'))
    .option('--ws-silent', 'WebSocket plays dead: no data, no pongs, socket left open')
    .option('--ws-malformed-rate <p>', 'probability of garbling a WebSocket data frame', parseRateOption('--ws-malformed-rate'))
    .option('--ws-slow-ms <n>', 'at least this long between two WebSocket frames', parseIntOption('--ws-slow-ms', 0, 60_000))
    .option('--ws-drop-every-ms <n>', 'cut every WebSocket this often', parseIntOption('--ws-drop-every-ms', 0, 86_400_000))
    .addHelpText(
      'after',
      `
Keys:
  UPBIT_ACCESS_KEY and UPBIT_SECRET_KEY, when set, are the account's keys (the secret is never
  printed). Otherwise the account of --state is reused, or a new pair is made and printed.

Output (one per line): rest URL, ws URL, access-key, and secret-key only when generated.`,
    )
    .action(async (o: { port: number; host: string; seed?: number; markets?: string[]; krw: string; state?: string; script?: string; faultSeed?: number } & SimFaultFlags) => {
      await runSimCommand({ ...o, logFile: paths.logFile });
    });
  registerTradeCommands(program, {
    env,
    parseUrl: parseUrlOption,
    // applyUsageErrors below sets every command's, the trading commands' included.
    exitOverride: (cmd) => cmd,
  });
  registerMonitorCommand(program, { env, parseUrl: parseUrlOption, exitOverride: (cmd) => cmd }, parseIntOption);
  registerRuleCommands(program, { env, parseUrl: parseUrlOption, exitOverride: (cmd) => cmd });
  // The trading commands read --sim and --api-url (and accept --ws-url) typed before their name.
  applyUsageErrors(program, (sub) => (sub.name() === 'sim' ? new Set() : TRADE_PASSED_DOWN));
  return program;
}

/**
 * Entry point used by bin/upbit-tui.js. Sets process.exitCode and never calls process.exit: a
 * command that runs (the TUI, `sim`, the trading commands) is a kernel from app/root.ts, which
 * owns the process's end; what fails before one exists (flags, amounts) is said here.
 */
export async function main(argv: string[]): Promise<void> {
  // Before anything sizable is allocated: V8 keeps the old generation near twice the live heap.
  applyHeapPolicy();
  // A closed stderr must not crash a command that is placing an order (there is nowhere to say it).
  guardStream(process.stderr);
  const program = buildProgram();
  try {
    // Help and version through the guard too (`upbit-tui --version | true`, `--help > /dev/full`).
    guardCommanderOutput(program);
    await program.parseAsync(argv);
  } catch (error) {
    if (isCommanderExit(error)) {
      process.exitCode = error.exitCode;
      return;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`upbit-tui: ${error.message}\n`);
      process.exitCode = error.exitCode;
      // Stopped by a hang-up (its work released): end as SIGHUP does, see endAfterHangup.
      if (error.exitCode === SIGNAL_EXIT_CODES.SIGHUP) endAfterHangup();
      return;
    }
    process.stderr.write(`upbit-tui: unexpected error (a bug — please report it):\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  } finally {
    // Commands under a kernel (trading, sim) never get here: their kernel does this before it exits.
    process.exitCode = await reportOutputFailure(Number(process.exitCode ?? 0));
  }
}

function guardCommanderOutput(cmd: Command): void {
  cmd.configureOutput({ writeOut: (text) => writeGuarded(process.stdout, text), writeErr: (text) => writeGuarded(process.stderr, text) });
  for (const sub of cmd.commands) guardCommanderOutput(sub);
}

function isCommanderExit(error: unknown): error is { exitCode: number; code: string } {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' && error.code.startsWith('commander.') && 'exitCode' in error && typeof error.exitCode === 'number';
}
