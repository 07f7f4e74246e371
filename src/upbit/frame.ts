/** Raw WebSocket frame data as `ws` hands it over, or a text frame. */
export type FrameData = Buffer | ArrayBuffer | Buffer[] | string;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decode a frame (binary as strict UTF-8) and JSON.parse it. Never throws: a bad frame comes
 * back as the reason it was dropped. Shared by the quotation and private-stream parsers.
 */
export function decodeJsonFrame(data: FrameData): { ok: true; value: unknown } | { ok: false; reason: string } {
  let text: string;
  if (typeof data === 'string') {
    text = data;
  } else {
    try {
      text = utf8.decode(Array.isArray(data) ? Buffer.concat(data) : data);
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
