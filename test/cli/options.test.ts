import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/app/errors.js';
import { appPaths } from '../../src/app/paths.js';
import { checkMarketsExist } from '../../src/app/resolve-markets.js';
import { parseIntOption, parseMarketsOption, parseUrlOption } from '../../src/cli/main.js';

describe('--markets', () => {
  it('accepts codes in any case, trims, dedupes and keeps order', () => {
    expect(parseMarketsOption(' krw-btc, KRW-ETH ,KRW-XRP,KRW-BTC')).toEqual(['KRW-BTC', 'KRW-ETH', 'KRW-XRP']);
  });
  it.each(['BTC_KRW', 'KRWBTC', 'KRW-', '-BTC', 'EUR-BTC', ',,', 'KRW-BTC;rm'])('rejects %j with a message that shows the right form', (bad) => {
    expect(() => parseMarketsOption(bad)).toThrow(InvalidArgumentError);
    expect(() => parseMarketsOption(bad)).toThrow(/KRW-BTC/);
  });
  it('names unknown markets and suggests ones with the same base', () => {
    const run = () => checkMarketsExist(['KRW-BTC', 'USDT-DOGE'], ['KRW-BTC', 'KRW-DOGE', 'KRW-ETH'], 'the built-in exchange');
    expect(run).toThrow(UsageError);
    expect(run).toThrow(/USDT-DOGE \(did you mean KRW-DOGE\?\)/);
  });
  it('passes when every market is listed', () => {
    expect(() => checkMarketsExist(['KRW-ETH'], ['KRW-BTC', 'KRW-ETH'], 'x')).not.toThrow();
  });
});

describe('numeric and URL options', () => {
  it('checks ranges with a message naming the flag', () => {
    const port = parseIntOption('--port', 0, 65535);
    expect(port('8080')).toBe(8080);
    expect(() => port('70000')).toThrow(/--port must be a whole number from 0 to 65535/);
    expect(() => port('1.5')).toThrow(InvalidArgumentError);
  });
  it('checks URL schemes', () => {
    const ws = parseUrlOption(['wss', 'ws']);
    expect(ws('ws://127.0.0.1:1/websocket/v1')).toBe('ws://127.0.0.1:1/websocket/v1');
    expect(() => ws('http://x')).toThrow(/must start with wss:\/\/ or ws:\/\//);
    expect(() => ws('not a url')).toThrow(/is not a URL/);
  });
});

describe('files', () => {
  it('keeps the log under the XDG state directory', () => {
    expect(appPaths({ HOME: '/home/u' }).logFile).toBe('/home/u/.local/state/upbit-tui/upbit-tui.log');
    expect(appPaths({ HOME: '/home/u', XDG_STATE_HOME: '/s' }).logFile).toBe('/s/upbit-tui/upbit-tui.log');
  });
  it('keeps the config file under the XDG config directory', () => {
    expect(appPaths({ HOME: '/home/u' }).configFile).toBe('/home/u/.config/upbit-tui/config.json');
    expect(appPaths({ HOME: '/home/u', XDG_CONFIG_HOME: '/c' }).configFile).toBe('/c/upbit-tui/config.json');
  });
});
