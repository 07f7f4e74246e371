/**
 * The market check before a trading command sends anything: the exchange's list, cached in
 * the data directory with a time-to-live, asked again once on a miss (new listings), and
 * skipped (and said) when no list can be had.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { UsageError } from '../../src/app/errors.js';
import { MarketCheck, marketListCacheFile, type MarketListSource } from '../../src/app/market-check.js';
import { checkMarketsExist, nearMarkets, recheckMarkets, unknownMarketMessage } from '../../src/app/resolve-markets.js';
import { silentLogger } from '../../src/runtime/logger.js';
import { MarketStore } from '../../src/trading/market-store.js';
import { waitFor } from '../helpers/wait-for.js';

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'upbit-market-check-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function source(lists: Array<string[] | Error>, cacheFile?: string): MarketListSource & { calls: number } {
  const s = {
    calls: 0,
    where: 'api.upbit.com',
    fetch: () => {
      s.calls++;
      const next = lists.length > 1 ? lists.shift() : lists[0];
      if (next === undefined) throw new Error('no list scripted');
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
    ...(cacheFile === undefined ? {} : { cacheFile }),
  };
  return s;
}

const URL_ = 'https://api.upbit.com';

describe('MarketCheck', () => {
  it('refuses an unknown market with one line naming the exchange and near matches, exit 2', async () => {
    const check = new MarketCheck({ source: source([['KRW-BTC', 'KRW-ETH', 'BTC-FAKE']]), logger: silentLogger });
    const error = await check.check(['KRW-FAKE']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as UsageError).message).toBe('KRW-FAKE (did you mean BTC-FAKE?) is not a market on api.upbit.com. Its markets: KRW-BTC, KRW-ETH, BTC-FAKE. Nothing was sent.');
    await expect(check.check(['KRW-BTC'])).resolves.toBeNull();
  });

  it('keeps the list in the data directory and uses it within its time-to-live, without asking', async () => {
    const file = marketListCacheFile(dataDir(), URL_);
    let now = 1_000_000;
    const first = source([['KRW-BTC']], file);
    await expect(new MarketCheck({ source: first, logger: silentLogger, now: () => now }).check(['KRW-BTC'])).resolves.toBeNull();
    expect(first.calls).toBe(1);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1, fetchedAt: 1_000_000, markets: ['KRW-BTC'] });

    now += 60_000;
    const second = source([new Error('must not be asked')], file);
    await expect(new MarketCheck({ source: second, logger: silentLogger, now: () => now }).check(['KRW-BTC'])).resolves.toBeNull();
    expect(second.calls).toBe(0);

    now += 7 * 60 * 60 * 1000; // past the 6 h time-to-live
    const third = source([['KRW-BTC', 'KRW-ETH']], file);
    await expect(new MarketCheck({ source: third, logger: silentLogger, now: () => now }).check(['KRW-BTC'])).resolves.toBeNull();
    expect(third.calls).toBe(1);
  });

  it('a market missing from the cached list is asked for once more before refusing (Upbit lists new markets)', async () => {
    const file = marketListCacheFile(dataDir(), URL_);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ version: 1, fetchedAt: Date.now(), markets: ['KRW-BTC'] }));
    const listed = source([['KRW-BTC', 'KRW-NEW']], file);
    await expect(new MarketCheck({ source: listed, logger: silentLogger }).check(['KRW-NEW'])).resolves.toBeNull();
    expect(listed.calls).toBe(1);
    // Fetched in this run: a second miss is not asked again.
    const check = new MarketCheck({ source: source([['KRW-BTC']], file), logger: silentLogger });
    await expect(check.check(['KRW-FAKE'])).rejects.toThrow(/KRW-FAKE is not a market/);
  });

  it('without any list the markets are returned unverified (the caller says so); a stale list still vouches for what it has', async () => {
    const down = new Error('could not resolve api.upbit.com (DNS)');
    await expect(new MarketCheck({ source: source([down]), logger: silentLogger }).check(['KRW-FAKE'])).resolves.toEqual({ unverified: ['KRW-FAKE'], problem: down.message });

    const file = marketListCacheFile(dataDir(), URL_);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ version: 1, fetchedAt: 0, markets: ['KRW-BTC'] }));
    const stale = new MarketCheck({ source: source([down], file), logger: silentLogger });
    await expect(stale.check(['KRW-BTC'])).resolves.toBeNull();
    await expect(stale.check(['KRW-NEW'])).resolves.toMatchObject({ unverified: ['KRW-NEW'] });
  });

  it('a damaged cache file is ignored and replaced', async () => {
    const file = marketListCacheFile(dataDir(), URL_);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '{"version":1,"markets":"nope"');
    await expect(new MarketCheck({ source: source([['KRW-BTC']], file), logger: silentLogger }).check(['KRW-BTC'])).resolves.toBeNull();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ markets: ['KRW-BTC'] });
  });

  it('caches per exchange, the port kept', () => {
    expect(path.basename(marketListCacheFile('/d', 'https://api.upbit.com'))).toBe('markets-api.upbit.com.json');
    expect(path.basename(marketListCacheFile('/d', 'http://127.0.0.1:8080'))).toBe('markets-127.0.0.1_8080.json');
  });
});

describe('the unknown-market message', () => {
  it('suggests the same coin in another quote, or the closest code of the same quote', () => {
    expect(nearMarkets('USDT-DOGE', ['KRW-BTC', 'KRW-DOGE', 'KRW-ETH'])).toEqual(['KRW-DOGE']);
    expect(nearMarkets('KRW-BTCC', ['KRW-BTC', 'KRW-BCH', 'KRW-ETC'])).toEqual(['KRW-BTC']);
    expect(nearMarkets('KRW-FAKE', ['KRW-BTC', 'KRW-ETH'])).toEqual([]);
  });

  it('lists a short catalogue in full and samples a long one', () => {
    const many = Array.from({ length: 200 }, (_, i) => `KRW-C${i}`);
    expect(unknownMarketMessage(['KRW-ZZZZZZ'], many, 'api.upbit.com')).toBe('KRW-ZZZZZZ is not a market on api.upbit.com. Its 200 markets include KRW-C0, KRW-C1, KRW-C2, KRW-C3, KRW-C4, KRW-C5.');
    expect(() => checkMarketsExist(['KRW-FAKE'], ['KRW-BTC'], 'the built-in exchange (--sim)')).toThrow('KRW-FAKE is not a market on the built-in exchange (--sim). Its markets: KRW-BTC.');
  });
});

describe('the TUI while the list is unreachable', () => {
  it('shows the unverified markets beside the connection notice, and replaces it once the list answers', async () => {
    const store = new MarketStore({ markets: ['KRW-BTC', 'KRW-FAKE'] });
    store.setNotice('Cannot reach api.upbit.com.');
    let answer: string[] | Error = new Error('ECONNREFUSED');
    const fetches: number[] = [];
    const controller = new AbortController();
    const task = recheckMarkets(
      { unverified: ['KRW-BTC', 'KRW-FAKE'], problem: 'ECONNREFUSED' },
      {
        fetch: () => {
          fetches.push(fetches.length);
          return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
        },
        setNotice: (text) => store.setNotice(text, 'markets'),
        host: 'api.upbit.com',
        delaysMs: [1],
        logger: silentLogger,
      },
      controller.signal,
    );
    store.flush();
    expect(store.getSnapshot().notice).toBe('Not verified (api.upbit.com market list unreachable): KRW-BTC, KRW-FAKE. A market it does not list stays "waiting". Cannot reach api.upbit.com.');
    // The connection clearing its notice leaves the markets one.
    store.setNotice(null);
    store.flush();
    expect(store.getSnapshot().notice).toMatch(/^Not verified/);

    await waitFor(() => fetches.length >= 1, 'a first (refused) look at the list');
    answer = ['KRW-BTC', 'KRW-ETH'];
    await task;
    store.flush();
    expect(fetches.length).toBeGreaterThanOrEqual(2);
    expect(store.getSnapshot().notice).toBe('KRW-FAKE is not a market on api.upbit.com. Its markets: KRW-BTC, KRW-ETH. Its row stays "waiting": quit (q) and start without it.');
  });

  it('clears the notice when every market is listed, and stops on shutdown', async () => {
    const notices: Array<string | null> = [];
    await recheckMarkets({ unverified: ['KRW-BTC'], problem: 'x' }, { fetch: () => Promise.resolve(['KRW-BTC']), setNotice: (t) => notices.push(t), host: 'h', delaysMs: [1], logger: silentLogger }, new AbortController().signal);
    expect(notices.at(-1)).toBeNull();
    const controller = new AbortController();
    const stopped = recheckMarkets({ unverified: ['KRW-BTC'], problem: 'x' }, { fetch: () => Promise.reject(new Error('down')), setNotice: () => undefined, host: 'h', delaysMs: [60_000], logger: silentLogger }, controller.signal);
    controller.abort();
    await expect(stopped).resolves.toBeUndefined();
  });
});
