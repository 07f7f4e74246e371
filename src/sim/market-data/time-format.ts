/** Upbit's date and time renderings for the trade and candle fields (docs/upbit-protocol.md#trade, #quotation-endpoints). */

const KST_OFFSET_MS = 9 * 3_600_000;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `HH:mm:ss` (UTC). */
export function colonTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** `yyyy-MM-ddTHH:mm:ss` (UTC, no offset), as in `candle_date_time_utc`. */
export function isoDateTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${colonTime(ms)}`;
}

/** The same instant on the Korean wall clock (UTC+9, no daylight saving), for `*_kst` fields. */
export function kst(ms: number): number {
  return ms + KST_OFFSET_MS;
}
