import { randomBytes } from 'node:crypto';
import path from 'node:path';

import { InvalidArgumentError } from 'commander';

import { UsageError } from '../app/errors.js';
import { describeLogDrops } from '../app/file-logger.js';
import { DirectoryError, ensureDirectory } from '../runtime/dirs.js';
import type { Kernel } from '../runtime/kernel.js';
import type { Logger } from '../runtime/logger.js';
import { runCommand } from './command-runner.js';
import { writeGuarded } from './output.js';
import { simBanner } from '../sim/describe.js';
import { StateNotSavedError } from '../exchange/engine.js';
import { parseSnapshot } from '../exchange/snapshot.js';
import { plain, readTypedAmount } from '../trading/decimal.js';
import type { SimFaults, Status5xx } from '../sim/faults.js';
import { STATUS_5XX } from '../sim/faults.js';
import { ScriptError } from '../sim/scripted-prices.js';
import type { SimServer } from '../sim/server.js';
import { SimListenError, startSimServer } from '../sim/server.js';
import { corruptState, createStatePersister, lockStateFile, readStateFile } from '../app/sim-state.js';
import { pathFlag } from './trade-commands.js';
import { LockedError } from '../runtime/process-lock.js';
import { isIPv4 } from 'node:net';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
export const DEFAULT_SIM_KRW = '10000000';

/** Fault flags of `upbit-tui sim`; absent means off. */
export interface SimFaultFlags {
  latencyMs?: number;
  dropBeforeRate?: number;
  dropAfterRate?: number;
  resetRate?: number;
  errorRate?: number;
  errorStatus?: Status5xx;
  rate429?: number;
  rate418?: number;
  wsSilent?: boolean;
  wsMalformedRate?: number;
  wsSlowMs?: number;
  wsDropEveryMs?: number;
}

export interface SimCommandOptions extends SimFaultFlags {
  port: number;
  host: string;
  seed?: number;
  markets?: string[];
  logFile: string;
  /** KRW to fund a new account with, a validated decimal string. @default DEFAULT_SIM_KRW */
  krw?: string;
  /** `--state FILE`: keep the exchange's accounts and orders across restarts. */
  state?: string;
  /** `--script FILE`: a scripted price path. */
  script?: string;
  faultSeed?: number;
  /** Where the keys come from. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** `--krw`: a positive amount of KRW, as the exact decimal string typed. */
export function parseKrwOption(value: string): string {
  // The one parser of typed amounts: `10_000_000` and `10,000,000` pass, `10,000` (10 or 10000?) does not.
  const read = readTypedAmount(value);
  if (!read.ok && read.kind !== 'not-a-number') throw new InvalidArgumentError(`--krw ${read.message}`);
  if (!read.ok || read.value.isZero()) throw new InvalidArgumentError(`--krw must be a positive amount of KRW, e.g. 10000000 (got "${value}").`);
  return plain(read.value);
}

/** A probability flag such as `--drop-after-rate 0.1`. */
export function parseRateOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
      throw new InvalidArgumentError(`${name} must be a probability from 0 to 1, e.g. 0.05 (got "${value}").`);
    }
    return n;
  };
}

/** `--error-status`: the status `--error-rate` answers with. */
export function parseErrorStatusOption(value: string): Status5xx {
  const status = STATUS_5XX.find((s) => String(s) === value.trim());
  if (status === undefined) throw new InvalidArgumentError(`--error-status must be 500, 502 or 503 (got "${value}").`);
  return status;
}

/** `SimOptions.faults` from the flags. Throws a UsageError when the HTTP rates add up past 1. */
export function faultsFromFlags(f: SimFaultFlags): Partial<SimFaults> {
  const httpRates: Array<[string, number | undefined]> = [
    ['--drop-before-rate', f.dropBeforeRate],
    ['--drop-after-rate', f.dropAfterRate],
    ['--reset-rate', f.resetRate],
    ['--error-rate', f.errorRate],
    ['--rate-429', f.rate429],
    ['--rate-418', f.rate418],
  ];
  const sum = httpRates.reduce((total, [, rate]) => total + (rate ?? 0), 0);
  if (sum > 1 + 1e-9) {
    const given = httpRates.filter(([, rate]) => rate !== undefined).map(([flag, rate]) => `${flag} ${rate}`);
    throw new UsageError(`${given.join(', ')} add up to ${Number(sum.toFixed(6))}; at most one fault hits a request, so the request fault rates must add up to 1 or less.`);
  }
  return {
    httpLatencyMs: f.latencyMs ?? 0,
    latencyMs: f.latencyMs ?? 0,
    dropBeforeRate: f.dropBeforeRate ?? 0,
    dropAfterRate: f.dropAfterRate ?? 0,
    resetRate: f.resetRate ?? 0,
    status5xxRate: f.errorRate ?? 0,
    status5xx: f.errorStatus ?? 500,
    force429Rate: f.rate429 ?? 0,
    force418Rate: f.rate418 ?? 0,
    silent: f.wsSilent ?? false,
    malformedRate: f.wsMalformedRate ?? 0,
    slowMs: f.wsSlowMs ?? 0,
    dropConnectionsEveryMs: f.wsDropEveryMs ?? 0,
  };
}

interface KeyPair {
  accessKey: string;
  secretKey: string;
  /** Print the secret: it was made by the simulator (now, or in an earlier run with the same --state). */
  showSecret: boolean;
}

/** A key like Upbit's: 40 characters from a CSPRNG. */
export function generateKey(): string {
  return randomBytes(20).toString('hex');
}

/**
 * The account's keys: UPBIT_ACCESS_KEY/UPBIT_SECRET_KEY when set; else, with a state file,
 * the account it already holds; else a fresh pair.
 */
function resolveKeys(env: NodeJS.ProcessEnv, stored: ReadonlyArray<{ accessKey: string; secretKey: string }>, stateFile: string | undefined): KeyPair {
  const accessKey = env['UPBIT_ACCESS_KEY'] ?? '';
  const secretKey = env['UPBIT_SECRET_KEY'] ?? '';
  if (accessKey !== '' && secretKey !== '') {
    const known = stored.find((a) => a.accessKey === accessKey);
    if (known !== undefined && known.secretKey !== secretKey) {
      throw new UsageError(
        `UPBIT_SECRET_KEY is not the secret stored for this access key in ${stateFile ?? 'the state file'}. Set the secret you used before, or pass another --state.`,
      );
    }
    return { accessKey, secretKey, showSecret: false };
  }
  if (accessKey !== '' || secretKey !== '') {
    throw new UsageError('Set both UPBIT_ACCESS_KEY and UPBIT_SECRET_KEY, or neither (the simulator then makes a key pair and prints it).');
  }
  const first = stored[0];
  if (first !== undefined) return { ...first, showSecret: true };
  return { accessKey: generateKey(), secretKey: generateKey(), showSecret: true };
}

/**
 * `--port`/`--host` the OS would not listen on: a configuration the user fixes (exit 2), said
 * in one line with what to pass instead.
 */
export function listenUsageError(error: SimListenError): UsageError {
  const where = `${error.host}:${error.port}`;
  const free = 'or --port 0 for any free one';
  switch (error.code) {
    case 'EADDRINUSE':
      return new UsageError(`Port ${error.port} on ${error.host} is already in use (by another upbit-tui sim, or another program): pass another --port, ${free}.`, 2, { cause: error });
    case 'EACCES':
      return new UsageError(`Not allowed to listen on ${where}: ports below 1024 need privileges this user lacks. Pass --port 1024 or above, ${free}.`, 2, { cause: error });
    case 'EADDRNOTAVAIL':
    case 'EAFNOSUPPORT':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UsageError(`Cannot listen on ${error.host}: it is not a loopback address this machine has (${error.code}). Pass --host 127.0.0.1.`, 2, { cause: error });
    default:
      return new UsageError(`Cannot listen on ${where} (${error.code ?? (error.cause instanceof Error ? error.cause.message : 'unknown error')}): pass another --host or --port, ${free}.`, 2, { cause: error });
  }
}

/**
 * `upbit-tui sim`: the embedded exchange on its own, a CLI command under a kernel
 * (./command-runner.ts) until SIGINT (exit 130) or SIGTERM (143). The state file's lock, the
 * exchange and the log are acquired on the kernel as they are opened; every change is on disk
 * before it is answered, so the state is saved whenever the kernel stops it.
 */
export async function runSimCommand(o: SimCommandOptions): Promise<void> {
  // An address, not a name that merely starts with 127. (127.example.com resolves anywhere).
  if (!LOOPBACK.has(o.host) && !(isIPv4(o.host) && o.host.startsWith('127.'))) {
    throw new UsageError(`--host ${o.host} is not a loopback address. The built-in exchange only listens on loopback (127.0.0.1 or ::1).`);
  }
  const faults = faultsFromFlags(o);
  if (o.state !== undefined) checkStateDir(o.state);

  await runCommand(
    {
      logFile: o.logFile,
      // Runs for hours: a full disk under the log is said once, on stderr, when it happens.
      onFirstDrop: (drops) => process.stderr.write(`upbit-tui sim: ${describeLogDrops(o.logFile, drops) ?? ''}\n`),
      stepDeadlineMs: 2000,
      // Stopped by a signal (also while starting): nothing to say, the signal's exit code.
      failure: (error, stoppedBy) => (stoppedBy !== undefined ? undefined : error instanceof LockedError ? new UsageError(error.message, 6, { cause: error }) : error),
    },
    async ({ kernel, logger, signal }) => {
      // One process at a time on a state file, else each would save over the other's orders.
      if (o.state !== undefined) {
        const stateLock = await lockStateFile(o.state);
        kernel.acquire('state file lock', () => stateLock.release());
      }
      await startWithState(o, faults, kernel, logger);
      // The exchange serves until the kernel stops it.
      if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    },
  );
}

/** `--state FILE`: a path, in a directory that exists or can be made, and can be written (exit 2 if not). */
function checkStateDir(file: string): void {
  pathFlag('--state', file, 'FILE');
  try {
    ensureDirectory(path.dirname(path.resolve(file)));
  } catch (error) {
    if (error instanceof DirectoryError) {
      throw new UsageError(`The state file ${file} cannot be kept there: ${error.problem}. Pass --state a file in a writable directory.`, 2, { cause: error });
    }
    throw error;
  }
}

async function startWithState(o: SimCommandOptions, faults: ReturnType<typeof faultsFromFlags>, kernel: Kernel, logger: Logger): Promise<void> {
  // The state file is read and checked before anything starts, and never written if unusable.
  const saved = o.state === undefined ? undefined : await readStateFile(o.state);
  let stored: Array<{ accessKey: string; secretKey: string }> = [];
  if (o.state !== undefined && saved !== undefined) {
    try {
      stored = parseSnapshot(saved, 'KRW').map((a) => ({ accessKey: a.accessKey, secretKey: a.secretKey }));
    } catch (error) {
      throw corruptState(o.state, error instanceof Error ? error.message : String(error), error);
    }
  }
  const keys = resolveKeys(o.env ?? process.env, stored, o.state);

  let sim: SimServer;
  // Every change is on disk before it is answered (see createStatePersister).
  let started = false;
  const persister =
    o.state === undefined
      ? undefined
      : createStatePersister({
          file: o.state,
          logger: logger.child({ component: 'state' }),
          // Before the start, a failed save is the start's error line.
          warn: (message) => {
            if (started) process.stderr.write(`upbit-tui sim: ${message}\n`);
          },
        });
  const unwritable = (error: unknown): UsageError =>
    new UsageError(`Cannot write the state file ${o.state} (${error instanceof Error ? error.message : String(error)}). Check the folder exists and is writable, or pass another --state.`, 1, { cause: error });
  try {
    sim = await startSimServer({
      host: o.host,
      port: o.port,
      seed: o.seed,
      markets: o.markets,
      logger: logger.child({ component: 'sim' }),
      faults,
      faultSeed: o.faultSeed,
      script: o.script,
      exchangeSnapshot: saved,
      // An account the state file already holds keeps its balances; --krw funds a new one.
      accounts: [{ accessKey: keys.accessKey, secretKey: keys.secretKey, krw: o.krw ?? DEFAULT_SIM_KRW }],
      persist: persister?.persist,
    });
  } catch (error) {
    // A new account is saved before the server listens.
    if (error instanceof StateNotSavedError) throw unwritable(error.cause);
    if (error instanceof ScriptError) throw new UsageError(`${error.message} Fix the file, or leave out --script.`, 2, { cause: error });
    if (error instanceof SimListenError) throw listenUsageError(error);
    throw error;
  }
  const server = sim;
  kernel.acquire('embedded exchange', () => server.close());
  if (persister !== undefined) {
    try {
      // Also for a state that was only read: an unwritable path shows now, not at the first order.
      persister.persist(server.exchange.snapshot());
    } catch (error) {
      throw unwritable(error);
    }
  }
  started = true;
  // Through the guard: a reader that stops after the first line (`| head -1`) does not stop the exchange.
  for (const line of simBanner(server, { accessKey: keys.accessKey, secretKey: keys.showSecret ? keys.secretKey : undefined })) {
    writeGuarded(process.stdout, `${line}\n`);
  }
}
