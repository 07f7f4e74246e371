/**
 * Typed amounts (`--volume 0,001`, `--total 10,000,0`): whatever way a person writes the
 * number they mean, the parser gives exactly that number or refuses; it never reads another
 * number (issue 7 §1: `0,001` was read as 1, a 1000× order).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { Money, parseAmount, readTypedAmount } from '../../src/trading/money.js';

const RUNS = { numRuns: 3000 };

/** An intended amount: up to 13 integer digits and 8 decimals, as its integer and fraction digits. */
const intended = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n ** 13n }), fc.integer({ min: 0, max: 8 }), fc.bigInt({ min: 0n, max: 10n ** 8n - 1n }))
  .map(([int, scale, frac]) => ({ int: int.toString(), frac: scale === 0 ? '' : frac.toString().padStart(8, '0').slice(0, scale) }));

type Amount = { int: string; frac: string };

function groups(int: string, size = 3): string[] {
  const out: string[] = [];
  for (let end = int.length; end > 0; end -= size) out.unshift(int.slice(Math.max(0, end - size), end));
  return out;
}

/** How the amount may be typed; `point` is the decimal mark a person writing this way means. */
const writings: Record<string, (a: Amount) => string> = {
  plain: (a) => (a.frac === '' ? a.int : `${a.int}.${a.frac}`),
  leadingZeros: (a) => `00${a.int}${a.frac === '' ? '' : `.${a.frac}`}`,
  noIntegerPart: (a) => (a.int === '0' && a.frac !== '' ? `.${a.frac}` : `${a.int}.${a.frac}`),
  trailingPoint: (a) => `${a.int}.${a.frac}`,
  spacesAround: (a) => `  ${a.int}${a.frac === '' ? '' : `.${a.frac}`} `,
  commaThousands: (a) => `${groups(a.int).join(',')}${a.frac === '' ? '' : `.${a.frac}`}`,
  underscoreThousands: (a) => `${groups(a.int).join('_')}${a.frac === '' ? '' : `.${a.frac}`}`,
  spaceThousands: (a) => `${groups(a.int).join(' ')}${a.frac === '' ? '' : `.${a.frac}`}`,
  decimalComma: (a) => (a.frac === '' ? a.int : `${a.int},${a.frac}`),
  leadingZeroDecimalComma: (a) => `0${a.int},${a.frac === '' ? '0' : a.frac}`,
  // European: points (or spaces) group thousands, the comma is the decimal mark. A lone
  // point group with no decimal comma ("1.234" for 1234) is left out: a point is always the
  // decimal point in the documented syntax, and no parser can tell that writing apart.
  pointThousandsDecimalComma: (a) => `${groups(a.int).join('.')}${a.frac === '' ? (groups(a.int).length > 2 ? '' : ',0') : `,${a.frac}`}`,
  spaceThousandsDecimalComma: (a) => `${groups(a.int).join(' ')},${a.frac === '' ? '0' : a.frac}`,
  // Indian lakh grouping, and sloppy groups of two or four.
  lakh: (a) => {
    const last = a.int.slice(-3);
    const rest = a.int.slice(0, -3);
    const head = rest === '' ? [] : groups(rest, 2);
    return `${[...head, last].join(',')}${a.frac === '' ? '' : `.${a.frac}`}`;
  },
  groupsOfTwo: (a) => `${groups(a.int, 2).join(',')}${a.frac === '' ? '' : `.${a.frac}`}`,
  groupsOfFour: (a) => `${groups(a.int, 4).join(',')}${a.frac === '' ? '' : `.${a.frac}`}`,
  mixedSeparators: (a) => {
    const g = groups(a.int);
    return `${g.map((x, i) => (i === 0 ? x : `${i % 2 === 0 ? ',' : '_'}${x}`)).join('')}${a.frac === '' ? '' : `.${a.frac}`}`;
  },
  groupedFraction: (a) => `${a.int}.${groups(a.frac.padEnd(6, '0')).join(',')}`,
  innerSpace: (a) => `${a.int} ${a.frac === '' ? '' : `.${a.frac}`}`,
};

const valueOf = (a: Amount): string => new Money(a.frac === '' ? a.int : `${a.int}.${a.frac}`).toFixed();

describe('readTypedAmount over amounts a person might type', () => {
  it('gives exactly the intended number, or refuses; never a different number', () => {
    fc.assert(
      fc.property(intended, fc.constantFrom(...Object.keys(writings)), (amount, how) => {
        const text = writings[how]?.(amount) ?? '';
        const read = readTypedAmount(text);
        if (read.ok) expect(read.value.toFixed(), `${how}: ${JSON.stringify(text)}`).toBe(valueOf(amount));
        else expect(read.message, text).toContain(JSON.stringify(text));
      }),
      RUNS,
    );
  });

  it('accepts the unambiguous writings: plain, leading zeros, underscores, and comma groups with a point or more than one comma', () => {
    fc.assert(
      fc.property(intended, fc.constantFrom('plain', 'leadingZeros', 'spacesAround', 'underscoreThousands', 'commaThousands'), (amount, how) => {
        const text = writings[how]?.(amount) ?? '';
        const loneComma = how === 'commaThousands' && amount.frac === '' && groups(amount.int).length === 2;
        const read = readTypedAmount(text);
        if (loneComma) expect(read).toMatchObject({ ok: false, kind: 'ambiguous' });
        else expect(read.ok && read.value.toFixed(), `${how}: ${JSON.stringify(text)}`).toBe(valueOf(amount));
      }),
      RUNS,
    );
  });

  it('a decimal comma is refused with both readings and a request for a plain number', () => {
    expect(readTypedAmount('0,001')).toEqual({
      ok: false,
      kind: 'ambiguous',
      message: '"0,001" is ambiguous: 0.001 with a decimal comma, or 1 with a thousands comma. Write it as a plain number (0.001 or 1), with a point for decimals.',
    });
    expect(readTypedAmount('1.000,5')).toMatchObject({ ok: false, kind: 'ambiguous', message: expect.stringContaining('1000.5 with a decimal comma, or 1.0005 with a thousands comma') as unknown });
    expect(readTypedAmount('1,000')).toMatchObject({ ok: false, kind: 'ambiguous', message: expect.stringContaining('1 with a decimal comma, or 1000 with a thousands comma') as unknown });
    for (const bad of ['10,000,0', '1,000_000', '1 000', '0,001,000', '1,00,000', '_1000', '1__000']) expect(readTypedAmount(bad).ok, bad).toBe(false);
    expect(readTypedAmount('10,000,0')).toMatchObject({ kind: 'malformed', message: expect.stringContaining('Write it as a plain number') as unknown });
    expect(parseAmount('0,001')).toBeNull();
    expect(parseAmount('1,000,000.5')?.toFixed()).toBe('1000000.5');
    expect(parseAmount('1_000')?.toFixed()).toBe('1000');
  });
});
