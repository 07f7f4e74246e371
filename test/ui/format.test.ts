import { describe, expect, it } from 'vitest';
import {
  formatCompact,
  formatDuration,
  formatPercent,
  formatPrice,
  formatSignedChange,
  marketLabel,
  priceDecimals,
  sparkline,
  truncate,
} from '../../src/ui/format.js';

describe('formatPrice', () => {
  it('rounds KRW-BTC to its 1,000 tick with thousands separators', () => {
    expect(formatPrice('KRW-BTC', 130_512_000)).toBe('130,512,000');
    expect(formatPrice('KRW-BTC', 130_512_499)).toBe('130,512,000');
    expect(formatPrice('KRW-BTC', 130_512_500)).toBe('130,513,000');
    expect(formatPrice('KRW-ETH', 4_812_000)).toBe('4,812,000');
  });

  it('rounds to non-decimal ticks (500, 50, 5) as well', () => {
    expect(formatPrice('KRW-X', 612_740)).toBe('612,500');
    expect(formatPrice('KRW-X', 61_274)).toBe('61,250');
    expect(formatPrice('KRW-X', 6_127)).toBe('6,125');
  });

  it('shows XRP (1 KRW tick) without decimals and sub-won coins to their tick', () => {
    expect(formatPrice('KRW-XRP', 3_112)).toBe('3,112');
    expect(formatPrice('KRW-XRP', 312)).toBe('312');
    expect(formatPrice('KRW-DOGE', 45.67)).toBe('45.7');
    // 0.01 ≤ P < 0.1 trades in 0.0001 ticks; 0.001 ≤ P < 0.01 in 0.00001.
    expect(formatPrice('KRW-SHIB', 0.0123)).toBe('0.0123');
    expect(formatPrice('KRW-SHIB', 0.012351)).toBe('0.0124');
    expect(formatPrice('KRW-PEPE', 0.004567)).toBe('0.00457');
  });

  it('uses the BTC market flat 8 decimals and the USDT table', () => {
    expect(priceDecimals('BTC-ETH', 0.0312)).toBe(8);
    expect(formatPrice('BTC-ETH', 0.0312)).toBe('0.03120000');
    expect(formatPrice('USDT-BTC', 96_123.456)).toBe('96,123.46');
    expect(formatPrice('USDT-XRP', 2.34567)).toBe('2.346');
  });
});

describe('formatSignedChange and formatPercent', () => {
  it('signs rises and falls, and leaves zero unsigned', () => {
    expect(formatSignedChange('KRW-BTC', 131_746_000, 1_234_000)).toBe('+1,234,000');
    expect(formatSignedChange('KRW-BTC', 129_278_000, -1_234_000)).toBe('-1,234,000');
    expect(formatSignedChange('KRW-BTC', 130_000_000, 0)).toBe('0');
  });

  it('uses the finer tick when the close sat in another band', () => {
    // 9.99 (tick 0.01) against a close of 10.1 (tick 0.1).
    expect(formatSignedChange('KRW-X', 9.99, -0.11)).toBe('-0.11');
  });

  it('formats ratios as signed percentages with two decimals', () => {
    expect(formatPercent(0.0123)).toBe('+1.23%');
    expect(formatPercent(-0.005)).toBe('-0.50%');
    expect(formatPercent(0)).toBe('0.00%');
    expect(formatPercent(-0.000001)).toBe('0.00%');
    expect(formatPercent(1.5)).toBe('+150.00%');
  });
});

describe('formatCompact', () => {
  it('picks T, B, M, K with one decimal', () => {
    expect(formatCompact(412_345_678_901)).toBe('412.3B');
    expect(formatCompact(1_234_567_890_123)).toBe('1.2T');
    expect(formatCompact(98_100_000)).toBe('98.1M');
    expect(formatCompact(5_500)).toBe('5.5K');
    expect(formatCompact(12.345)).toBe('12.35');
  });

  it('carries into the next unit instead of printing 1000.0', () => {
    expect(formatCompact(999_960_000_000)).toBe('1.0T');
    expect(formatCompact(999_960)).toBe('1.0M');
  });

  it('is ASCII and at most 8 wide for any realistic value', () => {
    for (let v = 1; v < 1e16; v *= 3.7) {
      const s = formatCompact(v);
      expect(s).toMatch(/^[\x20-\x7e]+$/);
      expect(s.length).toBeLessThanOrEqual(8);
    }
  });
});

describe('sparkline', () => {
  it('spans the block range, newest at the right', () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8], 8)).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([8, 1], 2)).toBe('█▁');
  });

  it('draws a flat line for a constant series', () => {
    expect(sparkline([5, 5, 5], 3)).toBe('▄▄▄');
  });

  it('keeps only the newest values that fit and pads short series on the left', () => {
    expect(sparkline([100, 1, 2], 2)).toBe('▁█');
    expect(sparkline([1, 2], 5)).toBe('   ▁█');
    expect(sparkline([], 3)).toBe('   ');
    expect(sparkline([1, 2], 0)).toBe('');
  });
});

describe('small helpers', () => {
  it('formats durations in plain words', () => {
    expect(formatDuration(200)).toBe('0.2s');
    expect(formatDuration(2100)).toBe('2.1s');
    expect(formatDuration(4000)).toBe('4s');
    expect(formatDuration(42_400)).toBe('42s');
    expect(formatDuration(185_000)).toBe('3m');
    expect(formatDuration(7_300_000)).toBe('2h');
    expect(formatDuration(-5)).toBe('0s');
  });

  it('labels markets base/quote', () => {
    expect(marketLabel('KRW-BTC')).toBe('BTC/KRW');
    expect(marketLabel('USDT-SOL')).toBe('SOL/USDT');
  });

  it('truncates with an ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
    expect(truncate('abc', 0)).toBe('');
  });
});
