/** Raw WebSocket frame data as `ws` hands it over, or a text frame. */
export type FrameData = Buffer | ArrayBuffer | Buffer[] | string;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * What {@link decodeJsonValue} returns for a frame it cannot use: these two objects, compared by
 * identity (`JSON.parse` never returns an object it did not make, so a frame cannot forge them).
 */
export const INVALID_UTF8: { readonly reason: 'invalid UTF-8' } = Object.freeze({ reason: 'invalid UTF-8' });
export const INVALID_JSON: { readonly reason: 'invalid JSON' } = Object.freeze({ reason: 'invalid JSON' });

/**
 * Decode a frame (binary as strict UTF-8) and JSON.parse it, or return {@link INVALID_UTF8} /
 * {@link INVALID_JSON}. Never throws. The hot path of the quotation stream: no result object
 * per frame (docs/performance.md, "after J").
 */
export function decodeJsonValue(data: FrameData): unknown {
  let text: string;
  if (typeof data === 'string') {
    text = data;
  } else {
    try {
      text = utf8.decode(Array.isArray(data) ? Buffer.concat(data) : data);
    } catch {
      return INVALID_UTF8;
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID_JSON;
  }
}

/**
 * Decode a frame (binary as strict UTF-8) and JSON.parse it. Never throws: a bad frame comes
 * back as the reason it was dropped. Shared by the quotation and private-stream parsers.
 */
export function decodeJsonFrame(data: FrameData): { ok: true; value: unknown } | { ok: false; reason: string } {
  const value = decodeJsonValue(data);
  if (value === INVALID_UTF8) return { ok: false, reason: INVALID_UTF8.reason };
  if (value === INVALID_JSON) return { ok: false, reason: INVALID_JSON.reason };
  return { ok: true, value };
}
