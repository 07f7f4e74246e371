import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { initialWatchlist, openWatchlistState } from '../../src/app/watchlist-state.js';
import { memoryLogger } from '../../src/runtime/logger.js';
import type { MarketCode } from '../../src/upbit/types.js';

const root = mkdtempSync(path.join(tmpdir(), 'upbit-watchlist-'));
afterAll(() => {
  chmodSync(root, 0o700);
  rmSync(root, { recursive: true, force: true });
});
const isRoot = process.getuid?.() === 0;

function dataDir(): string {
  return mkdtempSync(path.join(root, 'data-'));
}

describe('openWatchlistState', () => {
  it('loads nothing, and no problem, before anything is saved', () => {
    expect(openWatchlistState(dataDir()).load()).toEqual({ markets: undefined, problem: undefined });
  });

  it('saves {version: 1, markets} whole and owner-only, and loads it back; makes a missing data directory', async () => {
    const dir = path.join(dataDir(), 'not', 'yet');
    const state = openWatchlistState(dir);
    await state.save(['KRW-BTC', 'BTC-XRP']);
    const file = path.join(dir, 'watchlist.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1, markets: ['KRW-BTC', 'BTC-XRP'] });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['watchlist.json']);
    expect(openWatchlistState(dir).load()).toEqual({ markets: ['KRW-BTC', 'BTC-XRP'], problem: undefined });
    // Removing every market is saved too (initialWatchlist decides what an empty list starts with).
    await state.save([]);
    expect(state.load()).toEqual({ markets: [], problem: undefined });
  });

  it.each([
    ['{"version": 1, "markets": ["KRW-BTC"', 'it is not JSON: it ends early, at line 1 column 37 (cut short?)'],
    ['{"version": 1 "markets": []}', 'it is not JSON: it breaks at line 1 column 15'],
    ['["KRW-BTC"]', 'it is not a JSON object'],
    ['{"markets": ["KRW-BTC"]}', 'it has no version'],
    ['{"version": 2, "markets": ["KRW-BTC"]}', 'it is version 2, and this upbit-tui reads version 1'],
    ['{"version": 1}', 'it has no list of markets'],
    ['{"version": 1, "markets": ["KRW-BTC", "krw-eth"]}', '"krw-eth" is not a market code'],
    ['{"version": 1, "markets": [1]}', '1 is not a market code'],
  ])('a corrupt file (%s) is a problem naming it, no markets, and it is left as it is until the watchlist changes', async (text, why) => {
    const dir = dataDir();
    const file = path.join(dir, 'watchlist.json');
    writeFileSync(file, text);
    const state = openWatchlistState(dir);
    expect(state.load()).toEqual({
      markets: undefined,
      problem: `The saved watchlist ${file} cannot be used (${why}). The watchlist starts from the config or the default; the file is left as it is until you change the watchlist, which replaces it.`,
    });
    expect(readFileSync(file, 'utf8')).toBe(text);
    await state.save(['KRW-ETH']);
    expect(state.load()).toEqual({ markets: ['KRW-ETH'], problem: undefined });
  });

  it('a directory where the file should be is a problem, not a throw', () => {
    const dir = dataDir();
    mkdirSync(path.join(dir, 'watchlist.json'));
    expect(openWatchlistState(dir).load()).toEqual({ markets: undefined, problem: expect.stringMatching(/cannot be used \(it cannot be read: EISDIR/) as unknown });
  });

  it('drops a market saved twice', () => {
    const dir = dataDir();
    writeFileSync(path.join(dir, 'watchlist.json'), '{"version": 1, "markets": ["KRW-BTC", "KRW-ETH", "KRW-BTC"]}');
    expect(openWatchlistState(dir).load().markets).toEqual(['KRW-BTC', 'KRW-ETH']);
  });

  it('saves one at a time; those asked for meanwhile become one save of the latest list', async () => {
    const dir = dataDir();
    const state = openWatchlistState(dir);
    const lists: MarketCode[][] = [['KRW-BTC'], ['KRW-BTC', 'KRW-ETH'], ['KRW-ETH'], ['KRW-XRP', 'KRW-ETH']];
    const saves = lists.map((list) => state.save(list));
    // The first is being written; the three after it wait as one save.
    expect(saves[1]).toBe(saves[2]);
    expect(saves[2]).toBe(saves[3]);
    expect(saves[0]).not.toBe(saves[1]);
    await Promise.all(saves);
    expect(state.load().markets).toEqual(['KRW-XRP', 'KRW-ETH']);
    // The list the caller passed is copied: changing it afterwards changes nothing saved.
    const mine: MarketCode[] = ['KRW-SOL'];
    const saved = state.save(mine);
    mine.push('KRW-DOGE');
    await saved;
    expect(state.load().markets).toEqual(['KRW-SOL']);
    expect(readdirSync(dir)).toEqual(['watchlist.json']);
  });

  it('a save that cannot be written rejects with a line for the user and logs it; waiting saves still run, and the next works once it can', async () => {
    const parent = dataDir();
    const dir = path.join(parent, 'data');
    // A file where the data directory should be: fails for root too.
    writeFileSync(dir, '');
    const logger = memoryLogger();
    const state = openWatchlistState(dir, { logger });
    const first = state.save(['KRW-BTC']);
    const second = state.save(['KRW-ETH']);
    await expect(first).rejects.toThrow(
      `Cannot save the watchlist to ${path.join(dir, 'watchlist.json')} (${dir} is a file, not a directory); changes last for this run only. Make the folder writable or free disk space.`,
    );
    await expect(second).rejects.toThrow(/^Cannot save the watchlist/);
    expect(logger.records.filter((r) => r.level === 'error').map((r) => r.msg)).toEqual(['could not save the watchlist', 'could not save the watchlist']);
    rmSync(dir);
    await state.save(['KRW-XRP']);
    expect(state.load().markets).toEqual(['KRW-XRP']);
  });

  it('a write that fails after the directory checks out rejects too, and the old file stays', async () => {
    const dir = dataDir();
    const state = openWatchlistState(dir, { logger: memoryLogger() });
    await state.save(['KRW-BTC']);
    // The temporary file the atomic write opens (src/runtime/atomic-file.ts), taken by a directory: fails for root too.
    mkdirSync(path.join(dir, `.watchlist.json.${process.pid}.tmp`));
    await expect(state.save(['KRW-ETH'])).rejects.toThrow(/^Cannot save the watchlist to .*watchlist\.json \(EISDIR: illegal operation on a directory.*\); changes last for this run only\./);
    expect(state.load().markets).toEqual(['KRW-BTC']);
  });

  it.skipIf(isRoot)('a read-only data directory: the save rejects (it does not hang or throw), the old file stays', async () => {
    const dir = dataDir();
    const state = openWatchlistState(dir, { logger: memoryLogger() });
    await state.save(['KRW-BTC']);
    chmodSync(dir, 0o500);
    try {
      const save = state.save(['KRW-ETH']);
      await expect(save).rejects.toThrow(/^Cannot save the watchlist to .*watchlist\.json \(.*not writable.*\); changes last for this run only\./);
      expect(state.load().markets).toEqual(['KRW-BTC']);
    } finally {
      chmodSync(dir, 0o700);
    }
    expect(readdirSync(dir)).toEqual(['watchlist.json']);
  });
});

describe('initialWatchlist', () => {
  const flag: MarketCode[] = ['KRW-SOL'];
  const saved: MarketCode[] = ['KRW-XRP'];
  const config: MarketCode[] = ['BTC-ETH'];
  const fallback: MarketCode[] = ['KRW-BTC', 'KRW-ETH'];

  it.each([
    ['--markets wins, for this run only', { flag, saved, config }, { markets: flag, persist: false, source: 'flag' }],
    ['then the saved list', { flag: undefined, saved, config }, { markets: saved, persist: true, source: 'saved' }],
    ['then the config', { flag: undefined, saved: undefined, config }, { markets: config, persist: true, source: 'config' }],
    ['then the default', { flag: undefined, saved: undefined, config: undefined }, { markets: fallback, persist: true, source: 'default' }],
    ['an empty saved list starts over from the config', { flag: undefined, saved: [], config }, { markets: config, persist: true, source: 'config' }],
    ['an empty saved list and no config: the default', { flag: undefined, saved: [], config: undefined }, { markets: fallback, persist: true, source: 'default' }],
    ['--markets wins over a missing saved list too', { flag, saved: undefined, config: undefined }, { markets: flag, persist: false, source: 'flag' }],
  ] as const)('%s', (_, given, expected) => {
    const got = initialWatchlist({ ...given, fallback });
    expect(got).toEqual(expected);
    // A copy: the table may change it without changing the inputs.
    expect(got.markets).not.toBe(given.flag ?? given.saved ?? given.config ?? fallback);
  });
});
