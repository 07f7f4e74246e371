/**
 * Upbit API keys: where they come from, and how the secret is kept out of every log line,
 * error, frame and crash dump.
 *
 * Two sources (docs/upbit-protocol.md#authentication):
 *
 * - the environment: `UPBIT_ACCESS_KEY` and `UPBIT_SECRET_KEY`, both or neither;
 * - a key file, JSON `{"access_key": "…", "secret_key": "…"}` — the names Upbit's JWT uses.
 *   JSON rather than two bare lines, so that a file with the keys swapped or a stray line
 *   is an error naming the field, not a silently wrong key. The file must not be readable
 *   by the group or others (like ssh's private keys): `chmod 600 FILE`.
 *
 * An explicit key file wins over the environment (a flag is more specific than a shell
 * profile). No keys at all is not an error: it means paper trading.
 */
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { inspect } from 'node:util';

import { CredentialsError } from './rest/errors.js';

const REDACTED = '[redacted]';

/**
 * A secret string that prints as `[redacted]` everywhere: `String()`, template strings,
 * `JSON.stringify`, `util.inspect`/`console.log`, and so in pino fields and error
 * messages. Only {@link Secret.reveal} yields the value, and only the JWT signer calls it.
 * The value lives in a private field, which neither `Object.keys`, spreading, structured
 * logging nor `util.inspect` can see.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself. Call it where it is used (HMAC signing), never to store or print it. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }
}

/** An Upbit API key pair. Safe to log: the secret prints as `[redacted]`. */
export interface ApiKeys {
  accessKey: string;
  secretKey: Secret;
  /** Where the keys came from, for messages: `environment` or `file /path`. */
  source: string;
}

export const ACCESS_KEY_ENV = 'UPBIT_ACCESS_KEY';
export const SECRET_KEY_ENV = 'UPBIT_SECRET_KEY';

export interface LoadCredentialsOptions {
  /** Environment to read the two variables from. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** A key file (see the module comment); when given, the environment is not read. */
  keyFile?: string;
  /**
   * After reading keys from `env`, delete both variables from it. Node's diagnostic report
   * (`--report-on-fatalerror`, `process.report`) lists every environment variable, and
   * child processes inherit them; the app should pass true for `process.env` once, at
   * startup. Off by default because a second call then finds no keys.
   * @default false
   */
  scrubEnv?: boolean;
}

/**
 * The configured keys, or `undefined` when none are (paper trading). Throws a
 * {@link CredentialsError} that says what to fix for half-configured keys, a key file that
 * others can read, or one that is not the documented JSON.
 */
export async function loadCredentials(options: LoadCredentialsOptions = {}): Promise<ApiKeys | undefined> {
  if (options.keyFile !== undefined) return readKeyFile(options.keyFile);
  const env = options.env ?? process.env;
  const keys = keysFromEnv(env);
  if (keys !== undefined && options.scrubEnv === true) {
    const writable = env as Record<string, string | undefined>;
    delete writable[ACCESS_KEY_ENV];
    delete writable[SECRET_KEY_ENV];
  }
  return keys;
}

/** The keys from `UPBIT_ACCESS_KEY`/`UPBIT_SECRET_KEY`; empty values count as unset. */
export function keysFromEnv(env: Readonly<Record<string, string | undefined>>): ApiKeys | undefined {
  const access = env[ACCESS_KEY_ENV]?.trim() ?? '';
  const secret = env[SECRET_KEY_ENV]?.trim() ?? '';
  if (access === '' && secret === '') return undefined;
  if (secret === '') {
    throw configError(`${ACCESS_KEY_ENV} is set but ${SECRET_KEY_ENV} is not: set both (the secret key Upbit showed when the key was issued), or unset ${ACCESS_KEY_ENV} to trade on paper.`);
  }
  if (access === '') {
    throw configError(`${SECRET_KEY_ENV} is set but ${ACCESS_KEY_ENV} is not: set both, or unset ${SECRET_KEY_ENV} to trade on paper.`);
  }
  checkKeyText(access, ACCESS_KEY_ENV);
  checkKeyText(secret, SECRET_KEY_ENV);
  return { accessKey: access, secretKey: new Secret(secret), source: 'environment' };
}

/**
 * Read a key file, refusing one whose mode lets the group or others read it. The mode is
 * checked on the open descriptor (fstat), so the file checked is the file read.
 */
export async function readKeyFile(path: string): Promise<ApiKeys> {
  const notAFile = `The key file ${path} is not a regular file; point to the JSON file holding access_key and secret_key.`;
  let handle;
  try {
    // Refused before opening: opening a named pipe waits for a writer (for ever, in a thread
    // the process cannot cancel), and a device such as /dev/zero never ends.
    if (!(await stat(path)).isFile()) throw configError(notAFile);
    // O_NONBLOCK: should a pipe be swapped in after the check, the open still returns at once.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    if (err instanceof CredentialsError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : code === 'ENOTDIR' ? 'a part of the path is not a directory' : (code ?? 'unreadable');
    throw configError(`Cannot read the key file ${path} (${why}); check the path given for the key file.`, err);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw configError(notAFile);
    // Windows has no POSIX modes (fs reports 0o666 for every writable file): nothing to check.
    if (process.platform !== 'win32' && (stats.mode & 0o077) !== 0) {
      const mode = (stats.mode & 0o777).toString(8).padStart(4, '0');
      throw configError(`The key file ${path} can be read by other users (mode ${mode}); restrict it with: chmod 600 ${path}`);
    }
    const text = await handle.readFile({ encoding: 'utf8' });
    return parseKeyFile(text, path);
  } finally {
    await handle.close();
  }
}

/** Parse the key file's JSON; errors name the file and the field, never a value. */
export function parseKeyFile(text: string, path: string): ApiKeys {
  const expected = `{"access_key": "…", "secret_key": "…"}`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parser's message quotes the offending text, which may be part of the secret.
    throw configError(`The key file ${path} is not valid JSON; write it as ${expected}.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw configError(`The key file ${path} must hold a JSON object: ${expected}.`);
  }
  const record = value as Record<string, unknown>;
  const access = record['access_key'];
  const secret = record['secret_key'];
  if (typeof access !== 'string' || access.trim() === '') throw configError(`The key file ${path} has no "access_key" string; write it as ${expected}.`);
  if (typeof secret !== 'string' || secret.trim() === '') throw configError(`The key file ${path} has no "secret_key" string; write it as ${expected}.`);
  checkKeyText(access.trim(), `"access_key" in ${path}`);
  checkKeyText(secret.trim(), `"secret_key" in ${path}`);
  return { accessKey: access.trim(), secretKey: new Secret(secret.trim()), source: `file ${path}` };
}

function checkKeyText(value: string, where: string): void {
  // A key pasted with a line break or a space is a copy-paste accident, and Upbit would
  // answer a puzzling `invalid_access_key` / `jwt_verification`.
  if (/\s/.test(value)) throw configError(`${where} contains whitespace; paste the key again as one unbroken string.`);
}

function configError(message: string, cause?: unknown): CredentialsError {
  return new CredentialsError(message, { upbitName: null, status: null, retryable: false, cause });
}
