import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { firstErrorOffset, JsonTextError, parseJsonText } from '../../src/runtime/json-text.js';

/** JSON text, and the same text damaged: a character dropped, replaced or inserted, or cut short. */
const texts = fc.oneof(
  fc.json(),
  fc.string(),
  fc.tuple(fc.json(), fc.nat(), fc.constantFrom('', 'x', '"', ',', '}', ']', '\\', '\n', '0', 't', '-')).map(([t, at, ch]) => {
    const i = at % (t.length + 1);
    return at % 3 === 0 ? t.slice(0, i) + ch + t.slice(i) : at % 3 === 1 ? t.slice(0, i) + ch + t.slice(i + 1) : t.slice(0, i);
  }),
);

describe('locating the fault in JSON text', () => {
  it('agrees with JSON.parse on what parses, over valid and damaged texts', () => {
    fc.assert(
      fc.property(texts, (text) => {
        let parses = true;
        try {
          JSON.parse(text);
        } catch {
          parses = false;
        }
        expect(firstErrorOffset(text) === -1).toBe(parses);
      }),
      { numRuns: 3000 },
    );
  });

  it('says where in lines and columns, never what is there', () => {
    const error = (() => {
      try {
        parseJsonText('{\n  "secret": "abcdef012345" zz\n}');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(JsonTextError);
    expect((error as JsonTextError).message).toBe('it is not JSON: it breaks at line 2 column 28');
    expect((error as JsonTextError).message).not.toMatch(/abcdef|zz/);
  });
});
