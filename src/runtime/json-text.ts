/**
 * JSON from a file that may hold a secret (a simulator state, a key file, a wallet): when it
 * does not parse, the error says where (line and column) and never what is there. V8's own
 * messages quote the text around the fault (`Unexpected token 'a', "…cret":"a1b2c3"… is not
 * valid JSON`), which for a state file is part of an API secret key.
 */

/** The text is not JSON; `line`/`column` (from 1) are where parsing stopped. The message quotes nothing. */
export class JsonTextError extends Error {
  override name = 'JsonTextError';
  constructor(
    readonly line: number,
    readonly column: number,
    readonly truncated: boolean,
  ) {
    super(truncated ? `it is not JSON: it ends early, at line ${line} column ${column} (cut short?)` : `it is not JSON: it breaks at line ${line} column ${column}`);
  }
}

/** `JSON.parse(text)`, or a {@link JsonTextError} that says where, without quoting the text. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const found = firstErrorOffset(text);
    const offset = found < 0 ? 0 : found;
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - (before.lastIndexOf('\n') + 1) + 1;
    throw new JsonTextError(line, column, offset >= text.length);
  }
}

/**
 * Where a JSON parser stops on `text` (-1 when it does not): a small scanner that follows RFC 8259's grammar just far
 * enough to find the first offending character (V8 does not always give a position).
 */
export function firstErrorOffset(text: string): number {
  let i = 0;
  class Stop extends Error {}
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const fail = (): never => {
    throw new Stop();
  };
  const literal = (word: string): void => {
    for (const ch of word) {
      if (text.charAt(i) !== ch) fail();
      i++;
    }
  };
  const string = (): void => {
    i++; // the opening quote
    for (;;) {
      if (i >= text.length) fail();
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail();
      if (c === 0x5c) {
        i++;
        const e = text.charAt(i);
        if (e === 'u') {
          for (let k = 1; k <= 4; k++) {
            if (!/[0-9a-fA-F]/.test(text.charAt(i + k))) {
              i += k;
              fail();
            }
          }
          i += 5;
        } else if ('"\\/bfnrt'.includes(e) && e !== '') i++;
        else fail();
      } else i++;
    }
  };
  const number = (): void => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m === null) fail();
    i += m?.[0].length ?? 0;
  };
  const value = (): void => {
    ws();
    const c = text.charAt(i);
    if (c === '{') {
      i++;
      ws();
      if (text.charAt(i) === '}') return void i++;
      for (;;) {
        ws();
        if (text.charAt(i) !== '"') fail();
        string();
        ws();
        if (text.charAt(i) !== ':') fail();
        i++;
        value();
        ws();
        if (text.charAt(i) === ',') i++;
        else if (text.charAt(i) === '}') return void i++;
        else fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text.charAt(i) === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text.charAt(i) === ',') i++;
        else if (text.charAt(i) === ']') return void i++;
        else fail();
      }
    } else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else number();
  };
  try {
    value();
    ws();
    return i < text.length ? i : -1;
  } catch (error) {
    // `i` is where it stopped; anything else (nesting too deep for the stack) has no place.
    return error instanceof Stop ? Math.min(i, text.length) : 0;
  }
}
