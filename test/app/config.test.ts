import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { configTemplate, DEFAULT_CONFIG, describeConfigProblem, loadConfig, parseConfig, type UserConfig } from '../../src/app/config.js';

const dir = mkdtempSync(path.join(tmpdir(), 'upbit-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FILE = '/home/u/.config/upbit-tui/config.json';
const isRoot = process.getuid?.() === 0;

/** A config that sets every key to something other than its default. */
const GOOD = {
  watchlist: ['KRW-XRP', 'BTC-ETH'],
  colors: 'global',
  theme: { rise: 'greenBright', fall: '#ff0000' },
  keys: { buy: ['b', 'ctrl+b'], sell: ['s'] },
  orderType: 'best',
  quickSizes: [10, 33.3, 100],
} as const;

function parse(value: unknown) {
  return parseConfig(JSON.stringify(value), FILE);
}

describe('parseConfig', () => {
  it('a missing file is no problem: every default, found false', () => {
    expect(parseConfig(null, FILE)).toEqual({ config: DEFAULT_CONFIG, problems: [], file: FILE, found: false });
  });

  it('applies every key of a good config', () => {
    const loaded = parse(GOOD);
    expect(loaded.problems).toEqual([]);
    expect(loaded.found).toBe(true);
    expect(loaded.config).toEqual(GOOD);
  });

  it('an empty object is every default, and $schema is allowed and ignored', () => {
    expect(parse({})).toEqual({ config: DEFAULT_CONFIG, problems: [], file: FILE, found: true });
    expect(parse({ $schema: 'https://example.invalid/upbit-tui.json', orderType: 'market' })).toMatchObject({ config: { orderType: 'market' }, problems: [] });
  });

  // Each bad value alone: one problem naming its key, that key's default, every other key as given.
  it.each<[keyof UserConfig, unknown, string, RegExp]>([
    ['watchlist', 'KRW-BTC', 'watchlist', /"KRW-BTC" is not a list; give market codes such as \["KRW-BTC", "KRW-ETH"\]\. The watchlist setting is ignored/],
    ['watchlist', [], 'watchlist', /the list is empty, which would leave the ticker table empty/],
    ['watchlist', ['KRW-BTC', 'KRW_ETH'], 'watchlist', /^"KRW_ETH" is not an Upbit market code\. Codes look like KRW-BTC .*The watchlist setting is ignored: the saved watchlist, or the default \(KRW-BTC, KRW-ETH\), is shown\.$/],
    ['watchlist', ['EUR-BTC', 7, null], 'watchlist', /^"EUR-BTC" is not an Upbit market code\..* Nor are 7, null\. The watchlist/],
    ['watchlist', [7], 'watchlist', /^7 is not a market code; codes are strings such as "KRW-BTC"\./],
    ['colors', 'red', 'colors', /^"red" is not a colour convention; use one of "korean" .*"global" .*"none" .*The colors setting is ignored\.$/],
    ['colors', true, 'colors', /^true is not a colour convention/],
    ['theme', 'red', 'theme', /^"red" is not an object; give colours by role/],
    ['keys', ['b'], 'keys', /^\["b"\] is not an object; give keys by action/],
    ['orderType', 'stop', 'orderType', /^"stop" is not an order type; use one of "limit", "market", "best"\. Using "limit"\.$/],
    ['orderType', 'LIMIT', 'orderType', /^"LIMIT" is not an order type/],
    ['quickSizes', 50, 'quickSizes', /^50 is not a list; give 1 to 4 percents .*Using \[25, 50, 75, 100\]\.$/],
    ['quickSizes', [], 'quickSizes', /^the list is empty; /],
    ['quickSizes', [10, 20, 30, 40, 50], 'quickSizes', /^5 sizes are given, more than the 4 keys they go on; /],
    ['quickSizes', [0, 50], 'quickSizes', /^0 is not a percent greater than 0 and at most 100; /],
    ['quickSizes', [50, 101], 'quickSizes', /^101 is not a percent greater than 0 and at most 100; /],
    ['quickSizes', [-5], 'quickSizes', /^-5 is not a percent/],
    ['quickSizes', ['50'], 'quickSizes', /^"50" is not a percent/],
    ['quickSizes', [50, 25], 'quickSizes', /^25 comes after 50, out of order; /],
    ['quickSizes', [25, 25, 50], 'quickSizes', /^25 is given twice; /],
  ])('%s = %j: one problem, its default, the other keys still apply', (key, bad, problemKey, message) => {
    const loaded = parse({ ...GOOD, [key]: bad });
    expect(loaded.problems).toHaveLength(1);
    expect(loaded.problems[0]).toEqual({ file: FILE, key: problemKey, message: expect.stringMatching(message) as unknown });
    expect(loaded.config).toEqual({ ...GOOD, [key]: DEFAULT_CONFIG[key] });
  });

  it('a bad role or action inside theme or keys is one problem under its own key; the rest of that key still applies', () => {
    const loaded = parse({ ...GOOD, theme: { rise: 'pink', fall: '#00FF00', up: 'red', bad: '#12345' }, keys: { buy: 'b', sell: [1], quit: ['q', 'ctrl+c'] } });
    expect(loaded.problems.map((p) => [p.key, p.message])).toEqual([
      ['theme.rise', expect.stringMatching(/^"pink" is not a colour; use "#rrggbb" or one of black, red, .*whiteBright\. The convention's colour is used\.$/)],
      ['theme.up', 'unknown role; the roles are "rise", "fall", "good", "warn", "bad". It is ignored.'],
      ['theme.bad', expect.stringMatching(/^"#12345" is not a colour/)],
      ['keys.sell', expect.stringMatching(/^\[1\] is not a key or a list of keys; give a string such as "b" or a list such as \["b", "ctrl\+b"\]\. The action keeps its default keys\.$/)],
    ]);
    expect(loaded.config.theme).toEqual({ fall: '#00FF00' });
    // A single string is a list of one.
    expect(loaded.config.keys).toEqual({ buy: ['b'], quit: ['q', 'ctrl+c'] });
    expect(loaded.config.orderType).toBe('best');
  });

  it('takes market codes as the CLI does (trimmed, any case) and drops repeats with a problem, keeping the list', () => {
    const loaded = parse({ watchlist: [' krw-btc', 'KRW-ETH', 'KRW-BTC', 'krw-eth'] });
    expect(loaded.config.watchlist).toEqual(['KRW-BTC', 'KRW-ETH']);
    expect(loaded.problems).toEqual([{ file: FILE, key: 'watchlist', message: 'KRW-BTC, KRW-ETH (as "krw-eth") are listed more than once; only the first is kept.' }]);
  });

  it('an unknown key is a problem (typos must show) and is ignored; a near one is named', () => {
    const loaded = parse({ ...GOOD, order_type: 'market', colours: 'none' });
    expect(loaded.problems.map(describeConfigProblem)).toEqual([
      `${FILE}: order_type: unknown key (did you mean "orderType"?); the keys are "watchlist", "colors", "theme", "keys", "orderType", "quickSizes". It is ignored.`,
      `${FILE}: colours: unknown key; the keys are "watchlist", "colors", "theme", "keys", "orderType", "quickSizes". It is ignored.`,
    ]);
    expect(loaded.config).toEqual(GOOD);
  });

  it('text that is not JSON is one problem naming the line and column, and every default', () => {
    const text = '{\n  "orderType": "market"\n  "colors": "global"\n}\n';
    expect(parseConfig(text, FILE)).toEqual({
      config: DEFAULT_CONFIG,
      problems: [{ file: FILE, key: '', message: 'it is not JSON: it breaks at line 3 column 3. Every setting uses its default until it is fixed.' }],
      file: FILE,
      found: true,
    });
    expect(describeConfigProblem(parseConfig('{"orderType": "market",', FILE).problems[0]!)).toBe(
      `${FILE}: it is not JSON: it ends early, at line 1 column 24 (cut short?). Every setting uses its default until it is fixed.`,
    );
  });

  it('names the two usual hand-written mistakes: a trailing comma and a comment', () => {
    expect(parseConfig('{\n  "orderType": "market",\n}', FILE).problems[0]?.message).toBe(
      'it is not JSON: it breaks at line 3 column 1 (JSON allows no comma after the last item). Every setting uses its default until it is fixed.',
    );
    expect(parseConfig('{"quickSizes": [10, 20,]}', FILE).problems[0]?.message).toMatch(/line 1 column 24 \(JSON allows no comma after the last item\)/);
    expect(parseConfig('{\n  // mine\n  "orderType": "market"\n}', FILE).problems[0]?.message).toMatch(/line 2 column 3 \(JSON has no comments\)/);
  });

  it.each([['[]'], ['null'], ['"limit"'], ['42']])('%s is not an object: one problem, every default', (text) => {
    const loaded = parseConfig(text, FILE);
    expect(loaded.config).toEqual(DEFAULT_CONFIG);
    expect(loaded.problems).toEqual([{ file: FILE, key: '', message: `it is ${text}, not a JSON object of settings such as {"orderType": "limit"}. Every setting uses its default.` }]);
  });

  it('an empty file is one problem that says what to write; a byte-order mark is allowed', () => {
    expect(parseConfig(' \n', FILE).problems).toEqual([{ file: FILE, key: '', message: expect.stringMatching(/^the file is empty\. .*write a JSON object/) as unknown }]);
    expect(parseConfig('\uFEFF{"orderType": "market"}', FILE)).toMatchObject({ config: { orderType: 'market' }, problems: [] });
  });
});

describe('configTemplate', () => {
  it('is JSON that reads back as the defaults, with no problem', () => {
    const text = configTemplate();
    expect(JSON.parse(text)).toEqual({ theme: {}, keys: {}, orderType: 'limit', quickSizes: [25, 50, 75, 100] });
    expect(parseConfig(text, FILE)).toEqual({ config: DEFAULT_CONFIG, problems: [], file: FILE, found: true });
  });
});

describe('loadConfig', () => {
  it('reads a file, and a missing one is every default with found false', () => {
    const file = path.join(dir, 'good.json');
    writeFileSync(file, JSON.stringify(GOOD));
    expect(loadConfig(file)).toEqual({ config: GOOD, problems: [], file, found: true });
    expect(loadConfig(path.join(dir, 'missing', 'config.json'))).toEqual({ config: DEFAULT_CONFIG, problems: [], file: path.join(dir, 'missing', 'config.json'), found: false });
  });

  it('never writes the file, good or bad, nor anything beside it', () => {
    const sub = mkdtempSync(path.join(dir, 'untouched-'));
    for (const text of [JSON.stringify(GOOD), '{"orderType": "stop", "extra": 1}', '{ not json', '[]']) {
      const file = path.join(sub, 'config.json');
      writeFileSync(file, text);
      const past = new Date(Date.UTC(2020, 0, 1));
      // An old mtime makes any write visible whatever the file system's timestamp resolution.
      execFileSync('touch', ['-d', past.toISOString(), file]);
      const before = statSync(file);
      loadConfig(file);
      const after = statSync(file);
      expect(readFileSync(file, 'utf8')).toBe(text);
      expect(after.mtimeMs).toBe(before.mtimeMs);
      expect(after.mode).toBe(before.mode);
      expect(readdirSync(sub)).toEqual(['config.json']);
    }
  });

  it('a directory at the path is one problem that says what to do, and every default', () => {
    const file = path.join(dir, 'is-a-dir.json');
    mkdirSync(file);
    expect(loadConfig(file)).toEqual({
      config: DEFAULT_CONFIG,
      problems: [{ file, key: '', message: 'it is a directory, not a file. Every setting uses its default: move the directory away and put the settings in a file of that name.' }],
      file,
      found: true,
    });
  });

  it.skipIf(process.platform === 'win32')('a named pipe at the path is a problem, not a read that blocks for ever', () => {
    const file = path.join(dir, 'fifo.json');
    execFileSync('mkfifo', [file]);
    expect(loadConfig(file).problems).toEqual([{ file, key: '', message: expect.stringMatching(/^it is not a regular file\. Every setting uses its default/) as unknown }]);
  });

  it.skipIf(isRoot)('an unreadable file is one problem that says what to do, and every default', () => {
    const file = path.join(dir, 'unreadable.json');
    writeFileSync(file, JSON.stringify(GOOD));
    chmodSync(file, 0o200);
    const loaded = loadConfig(file);
    expect(loaded.config).toEqual(DEFAULT_CONFIG);
    expect(loaded.found).toBe(true);
    expect(loaded.problems.map(describeConfigProblem)).toEqual([
      `${file}: it cannot be read (permission denied). Every setting uses its default: make the file readable by you (chmod u+r), or move it away.`,
    ]);
  });
});
