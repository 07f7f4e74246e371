/**
 * The paper wallet shared by every upbit-tui process on one data directory (a TUI and CLI
 * commands side by side): each change is one short critical section — take the wallet's lock,
 * read the file again if another process saved it since, apply the change to the engine, save
 * the file whole (wallet-file.ts), let go — so two processes never save over each other's
 * orders, and no lock is held for a run (docs/locking.md).
 *
 * The engine stays synchronous: sections run under {@link SectionLock.runSync}, whose wait for
 * another process's section (milliseconds: a read, a change and an fsync'd write) blocks the
 * thread rather than splitting every engine call into a lock step and a change step. A save
 * outside a section is refused (the engine then undoes the change), so a path that forgot the
 * lock loses its change instead of the other process's.
 */
import { statSync } from 'node:fs';

import type { Logger } from '../../runtime/logger.js';
import { openSectionLock, type SectionLock } from '../../runtime/process-lock.js';
import { Exchange, StateNotSavedError, type ExchangeEvent, type ExchangeOptions } from '../../exchange/index.js';
import { PaperWalletError, corruptWallet, createWalletPersister, readWallet, reason } from './wallet-file.js';

/** How long a change waits for another process's section on the same wallet. */
const SECTION_WAIT_MS = 5_000;

export interface PaperWalletOptions {
  /** `<dataDir>/paper/<label>.json` (walletPath). */
  file: string;
  logger: Logger;
  /** The engine's options but its saving and timers, which the wallet provides. */
  engine: Omit<ExchangeOptions, 'persist' | 'schedule'>;
  /** Opens a new wallet's one account; run inside the section that creates the file. */
  create: (engine: Exchange) => void;
  /** Checks a wallet read from the file (throws a PaperWalletError to refuse it). */
  check: (engine: Exchange) => void;
  /** For the tests. @default 5000 */
  waitMs?: number;
}

export class PaperWallet {
  readonly file: string;
  readonly #lock: SectionLock;
  readonly #log: Logger;
  readonly #options: PaperWalletOptions;
  readonly #persist: (state: unknown) => void;
  readonly #listeners = new Set<(e: ExchangeEvent) => void>();
  #engine: Exchange | undefined;
  /** The file's identity (inode, size, mtime) as this process last read or wrote it. */
  #seen: string | undefined;
  #inside = false;
  #closed = false;

  /** Open the wallet, creating it (in a section, so two processes never both create it) when there is no file. */
  static open(options: PaperWalletOptions): PaperWallet {
    const wallet = new PaperWallet(options);
    try {
      wallet.locked(() => {
        if (wallet.#engine === undefined) {
          const engine = wallet.#newEngine(undefined);
          try {
            // Saved at once, so the next start (and every other process) finds the same wallet.
            options.create(engine);
          } catch (error) {
            engine.close();
            const cause = error instanceof StateNotSavedError ? error.cause : error;
            throw new PaperWalletError(`Cannot create the paper wallet ${options.file} (${reason(cause)}): check that the data directory is writable (or pass another --data-dir).`, { cause });
          }
          wallet.#engine = engine;
        }
      });
    } catch (error) {
      wallet.close();
      throw error;
    }
    return wallet;
  }

  private constructor(options: PaperWalletOptions) {
    this.file = options.file;
    this.#options = options;
    this.#log = options.logger;
    this.#lock = openSectionLock(`${options.file}.lock`, { what: `the paper wallet ${options.file}`, waitMs: options.waitMs ?? SECTION_WAIT_MS });
    const persister = createWalletPersister(options.file, options.logger);
    this.#persist = (state) => {
      if (!this.#inside) throw new Error('the paper wallet was about to be saved outside its lock (a bug); the change was not made');
      persister.persist(state);
      this.#seen = identityOf(this.file);
    };
  }

  /** The engine as of the last section: call it only inside {@link locked}. */
  get engine(): Exchange {
    if (this.#engine === undefined) throw new Error('The paper wallet is not open.');
    return this.#engine;
  }

  /** Hear every order and balance change of this process's engine, across reloads. Returns the release. */
  on(listener: (e: ExchangeEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Run `fn` in the wallet's critical section: with the lock held and the engine as the file
   * now holds it. Nested calls (a listener calling back) run inside the outer section.
   */
  locked<T>(fn: () => T): T {
    if (this.#inside) return fn();
    if (this.#closed) throw new Error('The paper wallet is closed: no more orders are accepted.');
    return this.#lock.runSync(() => {
      this.#inside = true;
      try {
        this.#reloadIfChanged();
        return fn();
      } finally {
        this.#inside = false;
      }
    });
  }

  /**
   * Read the engine as the file now holds it, without the lock while no process has saved the
   * file since this one last read or wrote it (a save is a rename, so an unchanged identity is
   * an unchanged wallet); otherwise as {@link locked}. For polls that mostly find nothing to do:
   * the venue's once-a-second look for open orders took the lock and rewrote its owner file
   * every time (a tenth of the TUI's idle CPU). `fn` must not change the engine.
   */
  read<T>(fn: (engine: Exchange) => T): T {
    if (this.#inside) return fn(this.engine);
    if (this.#closed) throw new Error('The paper wallet is closed.');
    if (this.#engine !== undefined && identityOf(this.file) === this.#seen) return fn(this.#engine);
    return this.locked(() => fn(this.engine));
  }

  /** Stop the engine and close the lock's connection (every change is already saved). Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#engine?.close();
    this.#lock.close();
  }

  /** Read the file again when another process saved it since this one last did. */
  #reloadIfChanged(): void {
    const now = identityOf(this.file);
    if (now === undefined || now === this.#seen) return;
    const saved = readWallet(this.file);
    if (saved === undefined) return;
    const engine = this.#newEngine(saved);
    try {
      this.#options.check(engine);
    } catch (error) {
      engine.close();
      throw error;
    }
    if (this.#engine !== undefined) {
      this.#engine.close();
      this.#log.debug({ file: this.file }, 'paper wallet read again: another process changed it');
    }
    this.#engine = engine;
    this.#seen = now;
  }

  #newEngine(saved: unknown): Exchange {
    const slot: { engine?: Exchange } = {};
    const options: ExchangeOptions = {
      ...this.#options.engine,
      persist: this.#persist,
      // A cancel completing later is a change too: made in a section, by the engine that is current then.
      schedule: (fn, ms) => {
        const timer = setTimeout(() => {
          if (this.#closed) return;
          try {
            this.locked(() => {
              if (slot.engine === this.#engine) fn();
            });
          } catch (error) {
            // The wallet's next change reads the file again, and its restore completes the cancel.
            this.#log.warn({ err: error }, 'paper: a cancel could not complete now; it completes at the next change');
          }
        }, ms);
        return () => clearTimeout(timer);
      },
    };
    let engine: Exchange;
    if (saved === undefined) engine = new Exchange(options);
    else {
      try {
        engine = Exchange.fromSnapshot(saved, options);
      } catch (error) {
        throw corruptWallet(this.file, reason(error), error);
      }
    }
    slot.engine = engine;
    engine.on((e) => {
      for (const l of [...this.#listeners]) l(e);
    });
    return engine;
  }
}

/** Inode, size and mtime: a save is a rename of a new file, so each save changes it. */
function identityOf(file: string): string | undefined {
  try {
    const s = statSync(file, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch {
    return undefined;
  }
}
