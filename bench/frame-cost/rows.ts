/** Deterministic ticker rows for the frame-cost bench and the frame-equality test. */
import type { BenchRow } from './app.js';

const NAMES = ['비트코인', '이더리움', '리플', '솔라나', '도지코인', '에이다', '트론', '체인링크', '폴카닷', '아발란체'];
const BLOCKS = '▁▂▃▄▅▆▇█';

/** A small seeded generator (mulberry32), so both variants draw the same frames. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pad to `width` columns, counting a Hangul syllable as two. */
function padName(name: string, width: number): string {
  let w = 0;
  for (const ch of name) w += ch >= '\uac00' && ch <= '\ud7a3' ? 2 : 1;
  return name + ' '.repeat(Math.max(0, width - w));
}

/** The rows of frame `n` (35 by default): every row's price, change and sparkline move. */
export function rowsFor(n: number, count = 35, seed = 1): BenchRow[] {
  const rand = prng(seed * 100_003 + n);
  const rows: BenchRow[] = [];
  for (let i = 0; i < count; i++) {
    const price = Math.round(1_000 + rand() * 150_000_000);
    const pct = (rand() - 0.5) * 20;
    let spark = '';
    for (let k = 0; k < 30; k++) spark += BLOCKS[Math.floor(((Math.sin((n + k + i * 7) / 3) + 1) / 2) * 7.999)];
    rows.push({
      code: `KRW-C${String(i).padStart(3, '0')}`.padEnd(10),
      name: padName(i % 2 === 0 ? NAMES[i % NAMES.length]! : `COIN${i}`, 12),
      price: price.toLocaleString('en-US').padStart(14),
      change: `${pct >= 0 ? '+' : ''}${pct.toFixed(2)}%`.padStart(8),
      up: pct >= 0,
      volume: `${(rand() * 999).toFixed(1)}M`.padStart(10),
      spark,
      age: `${Math.floor(rand() * 60)}s`.padStart(4),
    });
  }
  return rows;
}
