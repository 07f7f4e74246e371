import { afterEach, describe, expect, it } from 'vitest';

import { CAUTION_REASONS, NO_FLAGS, marketEventWire, parseMarketFlags } from '../../src/upbit/market-event.js';
import { fetchMarketList, flagsByMarket, parseMarketInfo } from '../../src/upbit/market-list.js';
import { parseMarketListing } from '../../src/upbit/rest/parse.js';
import { fixture, fixtureText, startScriptServer, type ScriptServer } from './rest/helpers.js';

const list = (file: string): unknown[] => {
  const v = fixture(`v1/market/all/${file}`);
  if (!Array.isArray(v)) throw new Error(`${file} is not an array`);
  return v;
};

describe('market alerts in GET /v1/market/all', () => {
  it('reads market_event: the warning and the caution reasons that are true, in Upbit’s order', () => {
    const markets = list('GET-200-is_details-flagged.json').map(parseMarketInfo);
    expect(markets).toEqual([
      { market: 'KRW-BTC', koreanName: '비트코인', englishName: 'Bitcoin', warning: false, cautions: [] },
      { market: 'KRW-SHIB', koreanName: '시바이누', englishName: 'Shiba Inu', warning: false, cautions: ['PRICE_FLUCTUATIONS', 'TRADING_VOLUME_SOARING'] },
      { market: 'KRW-BTT', koreanName: '비트토렌트', englishName: 'BitTorrent', warning: true, cautions: [] },
    ]);
  });

  it('reads the older market_warning: CAUTION is the warning designation (투자유의)', () => {
    const markets = list('GET-200-is_details-market_warning.json').map(parseMarketInfo);
    expect(markets.map((m) => [m?.market, m?.warning, m?.cautions])).toEqual([
      ['KRW-BTC', false, []],
      ['KRW-BTT', true, []],
    ]);
  });

  it('a list without details, or flags of another type, is all clear', () => {
    expect(list('GET-200.json').map(parseMarketInfo).every((m) => m?.warning === false && m.cautions.length === 0)).toBe(true);
    expect(parseMarketFlags({ market_event: { warning: 'yes', caution: ['PRICE_FLUCTUATIONS'] } })).toBe(NO_FLAGS);
    expect(parseMarketFlags({ market_event: null, market_warning: 'maybe' })).toBe(NO_FLAGS);
    expect(parseMarketFlags({ market_event: { caution: { PRICE_FLUCTUATIONS: 'true', NEW_REASON: true } } })).toEqual({ warning: false, cautions: ['NEW_REASON'] });
  });

  it('the REST client reads the same flags', () => {
    const [, shib, btt] = list('GET-200-is_details-flagged.json').map((v) => parseMarketListing(v));
    expect(shib?.cautions).toEqual(['PRICE_FLUCTUATIONS', 'TRADING_VOLUME_SOARING']);
    expect(btt?.warning).toBe(true);
    expect(parseMarketListing(list('GET-200-is_details-market_warning.json')[1])).toMatchObject({ warning: true, cautions: [] });
  });

  it('writes market_event as Upbit does, every documented reason present, and reads back what it wrote', () => {
    const wire = marketEventWire({ warning: true, cautions: ['TRADING_VOLUME_SOARING'] });
    expect(Object.keys(wire.caution)).toEqual([...CAUTION_REASONS]);
    expect(parseMarketFlags({ market_event: wire })).toEqual({ warning: true, cautions: ['TRADING_VOLUME_SOARING'] });
    expect(parseMarketFlags({ market_event: marketEventWire(NO_FLAGS) })).toBe(NO_FLAGS);
  });

  it('flagsByMarket keeps only the flagged markets; absent flags are none', () => {
    const parsed = list('GET-200-is_details-flagged.json').flatMap((v) => parseMarketInfo(v) ?? []);
    const flags = flagsByMarket([...parsed, { market: 'KRW-ETH', koreanName: '이더리움', englishName: 'Ethereum' }]);
    expect([...flags.keys()]).toEqual(['KRW-SHIB', 'KRW-BTT']);
    expect(flags.get('KRW-BTT')).toEqual({ warning: true, cautions: [] });
  });
});

describe('fetchMarketList', () => {
  let server: ScriptServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('asks for the details and returns the flags', async () => {
    server = await startScriptServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(fixtureText('v1/market/all/GET-200-is_details-flagged.json'));
    });
    const markets = await fetchMarketList(server.url);
    expect(server.requests.map((r) => [r.path, r.query])).toEqual([['/v1/market/all', 'is_details=true']]);
    expect(markets.find((m) => m.market === 'KRW-BTT')?.warning).toBe(true);
  });
});
