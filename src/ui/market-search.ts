/**
 * The `/` search over every KRW market: by code (`btc`, `KRW-BTC`), by English name
 * (`bitcoin`), by Korean name (`비트`), and by the Korean name's initial consonants (`ㅂㅌ`),
 * the way Korean traders search on Upbit's own app. Pure, so the overlay re-filters on every
 * keystroke without touching the network.
 */
import type { MarketInfo } from '../upbit/market-list.js';

/** Hangul syllables are U+AC00 + (initial × 21 + medial) × 28 + final (https://www.unicode.org/versions/Unicode15.0.0/ch03.pdf, "Hangul Syllable Decomposition"). */
const SYLLABLE_FIRST = 0xac00;
const SYLLABLE_LAST = 0xd7a3;
const PER_INITIAL = 21 * 28;
const INITIALS = 'ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ';

/** `비트코인` → `ㅂㅌㅋㅇ`; anything that is not a Hangul syllable is kept as it is. */
export function initialConsonants(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    out += code >= SYLLABLE_FIRST && code <= SYLLABLE_LAST ? (INITIALS[Math.floor((code - SYLLABLE_FIRST) / PER_INITIAL)] ?? ch) : ch;
  }
  return out;
}

/** Whether every character of `query` is a lone initial consonant (so it searches by initials). */
function isInitialsQuery(query: string): boolean {
  return [...query].every((ch) => INITIALS.includes(ch));
}

/** The markets the search offers: quoted in KRW (the only ones this console trades). */
export function searchableMarkets(list: readonly MarketInfo[]): MarketInfo[] {
  return list.filter((m) => m.market.startsWith('KRW-'));
}

/**
 * The markets matching `query`, best first: the exact code, then codes that start with it,
 * then names that start with it, then names and codes that contain it; ties keep the list's
 * order (Upbit's). An empty query lists every market. At most `limit`.
 */
export function searchMarkets(list: readonly MarketInfo[], query: string, limit = 50): MarketInfo[] {
  const q = query.trim().toLowerCase().replace(/\s+/g, ' ');
  const markets = searchableMarkets(list);
  if (q === '') return markets.slice(0, limit);
  const bare = q.startsWith('krw-') ? q.slice(4) : q;
  const initials = isInitialsQuery(q);
  const scored: Array<{ m: MarketInfo; score: number; i: number }> = [];
  markets.forEach((m, i) => {
    const code = m.market.slice(4).toLowerCase();
    const english = m.englishName.toLowerCase();
    const korean = m.koreanName;
    let score = -1;
    if (code === bare) score = 0;
    else if (code.startsWith(bare)) score = 1;
    else if (english.startsWith(q) || korean.startsWith(q)) score = 2;
    else if (initials && initialConsonants(korean).startsWith(q)) score = 2;
    else if (english.includes(q) || korean.includes(q) || code.includes(bare)) score = 3;
    else if (initials && initialConsonants(korean).includes(q)) score = 3;
    if (score >= 0) scored.push({ m, score, i });
  });
  scored.sort((a, b) => a.score - b.score || a.i - b.i);
  return scored.slice(0, limit).map((s) => s.m);
}
