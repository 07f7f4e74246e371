import { describe, expect, it } from 'vitest';
import { initialConsonants, searchMarkets } from '../../src/ui/market-search.js';
import type { MarketInfo } from '../../src/upbit/market-list.js';

const LIST: MarketInfo[] = [
  { market: 'KRW-BTC', koreanName: '비트코인', englishName: 'Bitcoin' },
  { market: 'KRW-ETH', koreanName: '이더리움', englishName: 'Ethereum' },
  { market: 'BTC-ETH', koreanName: '이더리움', englishName: 'Ethereum' },
  { market: 'KRW-BCH', koreanName: '비트코인 캐시', englishName: 'Bitcoin Cash' },
  { market: 'KRW-ETC', koreanName: '이더리움클래식', englishName: 'Ethereum Classic' },
  { market: 'KRW-SBTC', koreanName: '세이프비트', englishName: 'SafeBit' },
];
const codes = (q: string): string[] => searchMarkets(LIST, q).map((m) => m.market);

describe('market search', () => {
  it('offers only KRW markets, all of them for an empty query', () => {
    expect(codes('')).toEqual(['KRW-BTC', 'KRW-ETH', 'KRW-BCH', 'KRW-ETC', 'KRW-SBTC']);
  });

  it('finds by code, with or without KRW-, in any case: the exact code first', () => {
    expect(codes('btc')[0]).toBe('KRW-BTC');
    expect(codes('KRW-eth')).toEqual(['KRW-ETH']);
    expect(codes('et')).toEqual(['KRW-ETH', 'KRW-ETC']);
  });

  it('finds by English and Korean name, prefix before substring', () => {
    expect(codes('bitcoin')).toEqual(['KRW-BTC', 'KRW-BCH']);
    expect(codes('classic')).toEqual(['KRW-ETC']);
    expect(codes('비트')).toEqual(['KRW-BTC', 'KRW-BCH', 'KRW-SBTC']);
  });

  it('finds by the Korean name\'s initial consonants', () => {
    expect(initialConsonants('비트코인 캐시')).toBe('ㅂㅌㅋㅇ ㅋㅅ');
    expect(codes('ㅂㅌ')).toEqual(['KRW-BTC', 'KRW-BCH', 'KRW-SBTC']);
    expect(codes('ㅇㄷㄹㅇㅋ')).toEqual(['KRW-ETC']);
  });

  it('finds nothing for text no market has, and honours the limit', () => {
    expect(codes('zzz')).toEqual([]);
    expect(searchMarkets(LIST, '', 2)).toHaveLength(2);
  });
});
