// The quotation client's per-frame path no longer builds a result object per decode and an
// array per frame (docs/performance.md, "after J"): `decodeJsonValue` answers with the parsed
// value or one of two sentinels, and `forEachQuotationEvent` hands each event to a visitor.
// These properties pin down that nothing moved: for any frame at all (a real ticker with any
// field replaced, lists, any JSON, any bytes, split into chunks, as text or an ArrayBuffer) the
// visitor sees exactly the events the path gave before, in order, and `parseQuotationFrame` and
// `decodeJsonFrame` answer as they did. Since "After L" the client's visitor takes a DEFAULT
// ticker bare, past the envelope's parser lookup: the same events again, in the same order.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeJsonFrame, decodeJsonValue, INVALID_JSON, INVALID_UTF8, type FrameData } from '../../src/upbit/frame.js';
import { forEachQuotationEvent, narrowQuotationMessage, parseQuotationFrame } from '../../src/upbit/parse.js';
import type { QuotationEvent } from '../../src/upbit/types.js';

/** The decode as it was before: a strict TextDecoder, JSON.parse, a result object. */
function decodeBefore(data: FrameData): { ok: true; value: unknown } | { ok: false; reason: string } {
  let text: string;
  if (typeof data === 'string') {
    text = data;
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(Array.isArray(data) ? Buffer.concat(data) : data);
    } catch {
      return { ok: false, reason: 'invalid UTF-8' };
    }
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, reason: 'invalid JSON' };
  }
}

/** parseQuotationFrame as it was before: the decode, then one event per message, in an array. */
function parseBefore(data: FrameData): QuotationEvent[] {
  const decoded = decodeBefore(data);
  if (!decoded.ok) return [{ kind: 'invalid', reason: decoded.reason }];
  const value = decoded.value;
  if (!Array.isArray(value)) return [narrowQuotationMessage(value)];
  if (value.length === 0) return [{ kind: 'invalid', reason: 'empty list' }];
  return value.map((v: unknown) => narrowQuotationMessage(v));
}

const sample: unknown = JSON.parse(readFileSync(new URL('../fixtures/ws/ticker-default.json', import.meta.url), 'utf8'));
const sampleTicker = (Array.isArray(sample) ? sample[0] : sample) as Record<string, unknown>;
const fields = Object.keys(sampleTicker);

/** A recorded ticker with some fields replaced by any JSON value, or removed. */
const ticker = fc
  .array(fc.tuple(fc.constantFrom(...fields), fc.option(fc.jsonValue(), { nil: undefined })), { maxLength: 4 })
  .map((edits) => {
    const o: Record<string, unknown> = { ...sampleTicker };
    for (const [k, v] of edits) {
      if (v === undefined) delete o[k];
      else o[k] = v;
    }
    return o;
  });
const message = fc.oneof({ weight: 4, arbitrary: ticker }, fc.jsonValue(), fc.constant({ reason: 'invalid UTF-8' }), fc.constant({ error: { name: 'WRONG_FORMAT', message: 'x' } }));
const text = fc.oneof(message.map((m) => JSON.stringify(m)), fc.array(message, { maxLength: 4 }).map((l) => JSON.stringify(l)), fc.string());
const bytes = fc.oneof(
  text.map((t) => Buffer.from(t)),
  fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
  // Valid JSON text with an invalid UTF-8 sequence inside a string.
  text.map((t) => Buffer.concat([Buffer.from('["'), Buffer.from([0xc3, 0x28]), Buffer.from(`",${JSON.stringify(t)}]`)])),
);
/** Every shape `ws` hands over: a Buffer, its chunks, an ArrayBuffer, or a text frame. */
const frame: fc.Arbitrary<FrameData> = fc.oneof(
  bytes,
  fc.tuple(bytes, fc.nat()).map(([b, cut]): Buffer[] => {
    const at = b.length === 0 ? 0 : cut % b.length;
    return [b.subarray(0, at), b.subarray(at)];
  }),
  bytes.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)),
  text,
);

describe('the quotation frame path without per-frame arrays', () => {
  it('visits exactly the events the path gave before, in order, for any frame', () => {
    fc.assert(
      fc.property(frame, (data) => {
        const seen: QuotationEvent[] = [];
        forEachQuotationEvent(data, (ev) => seen.push(ev));
        const before = parseBefore(data);
        expect(seen).toEqual(before);
        // With the ticker shortcut (the quotation client's path since "After L"): a ticker comes
        // bare, everything else as an event, all in the same order as before.
        const shortcut: QuotationEvent[] = [];
        forEachQuotationEvent(
          data,
          (ev) => shortcut.push(ev),
          (ticker) => shortcut.push({ kind: 'ticker', ticker }),
        );
        expect(shortcut).toEqual(before);
        expect(parseQuotationFrame(data)).toEqual(before);
        expect(decodeJsonFrame(data)).toEqual(decodeBefore(data));
      }),
      { numRuns: 3_000 },
    );
  });

  it('tells a bad frame by identity, so a frame whose JSON looks like a sentinel is still data', () => {
    const looksLikeOne = Buffer.from(JSON.stringify({ reason: 'invalid UTF-8' }));
    expect(decodeJsonValue(looksLikeOne)).not.toBe(INVALID_UTF8);
    expect(decodeJsonValue(looksLikeOne)).toEqual({ reason: 'invalid UTF-8' });
    expect(decodeJsonFrame(looksLikeOne)).toEqual({ ok: true, value: { reason: 'invalid UTF-8' } });
    expect(parseQuotationFrame(looksLikeOne)).toEqual([{ kind: 'invalid', reason: 'message has no type' }]);
    expect(decodeJsonValue(Buffer.from([0xff]))).toBe(INVALID_UTF8);
    expect(decodeJsonValue('{')).toBe(INVALID_JSON);
  });
});
