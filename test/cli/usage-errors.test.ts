/**
 * Every bad command line, of the root program and of each subcommand, ends the same way: one
 * line `upbit-tui: …`, at most a one-line hint, exit 2 (README, "Trading from scripts"), never
 * commander's `error:` or a stack. Run in-process through `main`, which owns the exit code.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { main } from '../../src/cli/main.js';
import { commanderMessage, similarNames } from '../../src/cli/usage-errors.js';
import { listenUsageError } from '../../src/cli/sim-command.js';
import { SimListenError } from '../../src/sim/server.js';

interface Result {
  code: number | string | null | undefined;
  stderr: string;
  stdout: string;
}

async function run(args: string[]): Promise<Result> {
  let stderr = '';
  let stdout = '';
  // Like a real stream, a write calls its callback once written (main waits on that for stdout).
  const capture =
    (append: (text: string) => void) =>
    (chunk: string | Uint8Array, encodingOrCallback?: unknown, callback?: unknown): boolean => {
      append(String(chunk));
      const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
      if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
      return true;
    };
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture((t) => (stderr += t)));
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture((t) => (stdout += t)));
  try {
    await main(['node', 'upbit-tui', ...args]);
  } finally {
    err.mockRestore();
    out.mockRestore();
  }
  return { code: process.exitCode, stderr, stdout };
}

beforeEach(() => {
  process.exitCode = undefined;
  // Nothing here may touch the user's files: the log path only shows in help.
  vi.stubEnv('XDG_STATE_HOME', '/nonexistent/upbit-tui-test-state');
  vi.stubEnv('XDG_DATA_HOME', '/nonexistent/upbit-tui-test-data');
});
afterEach(() => {
  process.exitCode = undefined;
  vi.unstubAllEnvs();
});

// [command line, the message after `upbit-tui: `, the command the hint names]
const CASES: Array<[string[], RegExp, string]> = [
  [['--bogus'], /^unknown option '--bogus'$/, 'upbit-tui'],
  [['--vers'], /^unknown option '--vers' \(did you mean --version\?\)$/, 'upbit-tui'],
  [['--colors', 'foo'], /^--colors "foo" is invalid: allowed choices are korean, global\.$/, 'upbit-tui'],
  [['--seed', 'abc'], /^--seed must be a whole number from 0 to 2147483647 \(got "abc"\)\.$/, 'upbit-tui'],
  [['--markets', 'BTC'], /^--markets "BTC" is invalid: "BTC" is not an Upbit market code\. Codes look like KRW-BTC/, 'upbit-tui'],
  [['--ws-url', 'notaurl'], /^--ws-url "notaurl" is invalid: "notaurl" is not a URL\. Example: wss:\/\/127\.0\.0\.1:8080$/, 'upbit-tui'],
  [['--api-url', 'ftp://x'], /^--api-url "ftp:\/\/x" is invalid: "ftp:\/\/x" must start with https:\/\/ or http:\/\/\.$/, 'upbit-tui'],
  [['balanse'], /^unknown command 'balanse' \(did you mean balance\?\)$/, 'upbit-tui'],
  [['oders'], /^unknown command 'oders' \(did you mean orders\?\)$/, 'upbit-tui'],
  [['KRW-BTC'], /^unknown command 'KRW-BTC'; the commands are sim, balance, orders, buy, sell, cancel, monitor, rules$/, 'upbit-tui'],
  [['help', 'sel'], /^unknown command 'sel' \(did you mean sell\?\)$/, 'upbit-tui'],
  [['--markets', 'KRW-BTC', '--markets', 'KRW-ETH'], /^--markets is given twice \("KRW-BTC" and "KRW-ETH"\); give it once\.$/, 'upbit-tui'],
  [['--seed', '5', 'sim'], /^--seed before "sim" is an option of the TUI: put it after the command name \(upbit-tui sim --seed …\)\.$/, 'upbit-tui sim'],
  [['--colors', 'global', 'balance'], /^--colors before "balance" is an option of the TUI: "balance" does not take it\.$/, 'upbit-tui balance'],
  [['--api-url', 'http://127.0.0.1:1', 'balance', '--api-url', 'http://127.0.0.1:2'], /^--api-url is given both before and after "balance" \("http:\/\/127\.0\.0\.1:1" and "http:\/\/127\.0\.0\.1:2"\); give it once\.$/, 'upbit-tui balance'],
  [['buy', 'KRW-BTC', '--total', '10000', '--total', '20000'], /^--total is given twice \("10000" and "20000"\); give it once\.$/, 'upbit-tui buy'],
  [['buy', 'KRW-BTC', '--price', '95000000', '--volume', '0.001', '--price', '96000000'], /^--price is given twice \("95000000" and "96000000"\)/, 'upbit-tui buy'],
  [['sell', 'KRW-BTC', '--volume', '0.001', '--volume', '0.01'], /^--volume is given twice \("0\.001" and "0\.01"\)/, 'upbit-tui sell'],
  [['orders', '--market', 'KRW-BTC', '--market', 'KRW-ETH'], /^--market is given twice/, 'upbit-tui orders'],
  [['orders', '--state', 'done', '--state', 'wait'], /^--state is given twice/, 'upbit-tui orders'],
  [['balance', '--data-dir', '/tmp/a', '--data-dir', '/tmp/b'], /^--data-dir is given twice \("\/tmp\/a" and "\/tmp\/b"\)/, 'upbit-tui balance'],
  [['cancel', '--all-mine', '--key-file', 'a', '--key-file', 'b'], /^--key-file is given twice/, 'upbit-tui cancel'],
  [['sim', '--port', '8080', '--port', '8081'], /^--port is given twice \("8080" and "8081"\)/, 'upbit-tui sim'],
  [['sim', '--krw', '1', '--krw', '2'], /^--krw is given twice/, 'upbit-tui sim'],
  [['buy', '--bogus'], /^unknown option '--bogus'$/, 'upbit-tui buy'],
  [['buy'], /^missing required argument 'market'$/, 'upbit-tui buy'],
  [['buy', 'BTC'], /^"BTC" is not an Upbit market code\. Codes look like KRW-BTC \(quote-base, e\.g\. KRW-ETH, BTC-XRP, USDT-SOL\)\.$/, 'upbit-tui buy'],
  [['buy', 'KRW-BTC', '--total'], /^option '--total <krw>' argument missing$/, 'upbit-tui buy'],
  [['balance', 'extra'], /^too many arguments for 'balance'\. Expected 0 arguments but got 1\.$/, 'upbit-tui balance'],
  [['cancel', '--jsno'], /^unknown option '--jsno' \(did you mean --json\?\)$/, 'upbit-tui cancel'],
  [['orders', '--state', 'open'], /^--state "open" is invalid: allowed choices are wait, done, cancel\.$/, 'upbit-tui orders'],
  [['sim', '--bogus'], /^unknown option '--bogus'$/, 'upbit-tui sim'],
  [['sim', '--port', 'x'], /^--port must be a whole number from 0 to 65535 \(got "x"\)\.$/, 'upbit-tui sim'],
  [['sell', 'KRW-BTC', '--volume', '-1'], /^--volume must be a positive number such as 0\.001 \(got "-1"\)\.$/, 'upbit-tui sell'],
];

describe('usage errors', () => {
  it.each(CASES)('%j: exit 2, one line "upbit-tui: …" and the hint, no "error:", no stack', async (args, message, command) => {
    const r = await run(args);
    const what = `${args.join(' ')} → ${JSON.stringify(r.stderr)}`;
    expect(r.code, what).toBe(2);
    expect(r.stdout, what).toBe('');
    expect(r.stderr, what).not.toMatch(/error:|\n\s+at |a bug/);
    const lines = r.stderr.split('\n');
    expect(lines, what).toHaveLength(3); // the message, the hint, and the final newline
    expect(lines[0]?.startsWith('upbit-tui: '), what).toBe(true);
    expect(lines[0]?.slice('upbit-tui: '.length), what).toMatch(message);
    expect(lines[1], what).toBe(`(run ${command} --help for usage)`);
    expect(lines[2], what).toBe('');
  });

  it('a value given once, and the same value before and after a command, are not refused', async () => {
    // Each gets past parsing: the root's TUI needs a terminal, which the test has not.
    const tui = await run(['--markets', 'KRW-BTC', '--seed', '5', '--colors', 'global']);
    expect(tui.code).toBe(2);
    expect(tui.stderr).toMatch(/^upbit-tui: the TUI needs an interactive terminal/);
    // intentFromFlags refuses the amount only after every flag was taken once.
    const buy = await run(['--api-url', 'http://127.0.0.1:1', 'buy', 'KRW-BTC', '--api-url', 'http://127.0.0.1:1', '--total', '1']);
    expect(buy.code).toBe(2);
    expect(buy.stderr).toMatch(/^upbit-tui: buy KRW-BTC: .*5,000 KRW minimum/);
  });

  it('help and --version still exit 0 on stdout', async () => {
    const help = await run(['help', 'buy']);
    expect(help.code ?? 0).toBe(0);
    expect(help.stdout).toMatch(/^Usage: upbit-tui buy \[options\] <market>/);
    const version = await run(['--version']);
    expect(version.code ?? 0).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe('the pieces', () => {
  it('puts commander messages in one line of our words', () => {
    expect(commanderMessage({ message: "error: unknown option '--jsno'\n(Did you mean --json?)" })).toBe("unknown option '--jsno' (did you mean --json?)");
    expect(commanderMessage({ message: "error: option '-V, --version' argument 'x' is invalid. Nope." })).toBe('--version "x" is invalid: Nope.');
    expect(commanderMessage({ message: "error: option '--krw <amount>' argument '0' is invalid. --krw must be positive (got \"0\")." })).toBe('--krw must be positive (got "0").');
    expect(commanderMessage({ message: "error: command-argument value 'BTC' is invalid for argument 'market'. \"BTC\" is not a market code." })).toBe('"BTC" is not a market code.');
    expect(commanderMessage({ message: "error: command-argument value 'x' is invalid for argument 'uuid'. Nope." })).toBe('<uuid> "x" is invalid: Nope.');
    expect(commanderMessage({ message: "error: option '--port <n>' argument 'x' is invalid. --port must be a whole number." })).toBe('--port must be a whole number (got "x").');
  });

  it('suggests the nearest command names only', () => {
    expect(similarNames('balanse', ['sim', 'balance', 'orders'])).toEqual(['balance']);
    expect(similarNames('BUY', ['buy', 'sell'])).toEqual(['buy']);
    expect(similarNames('xyzzy', ['sim', 'balance'])).toEqual([]);
  });

  it('says what to pass instead when the OS will not listen', () => {
    const err = (code: string): SimListenError => new SimListenError('127.0.0.1', 80, Object.assign(new Error(`listen ${code}`), { code }));
    const inUse = listenUsageError(err('EADDRINUSE'));
    expect(inUse.exitCode).toBe(2);
    expect(inUse.message).toBe('Port 80 on 127.0.0.1 is already in use (by another upbit-tui sim, or another program): pass another --port, or --port 0 for any free one.');
    expect(listenUsageError(err('EACCES')).message).toMatch(/^Not allowed to listen on 127\.0\.0\.1:80: ports below 1024 need privileges .* Pass --port 1024 or above, or --port 0/);
    expect(listenUsageError(err('EADDRNOTAVAIL')).message).toMatch(/not a loopback address this machine has .* Pass --host 127\.0\.0\.1\./);
    expect(listenUsageError(err('EWHATEVER')).exitCode).toBe(2);
  });
});
