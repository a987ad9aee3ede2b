/**
 * One line of the file store's journal: `<crc32 as 8 hex digits> <JSON array>\n`. The checksum makes a
 * torn or zero-filled write (a crash between `write` and the disk, or a power loss that persisted a later
 * block before an earlier one) detectable on reopen instead of being parsed as data. It is computed over
 * the UTF-16 code units of the JSON text (its UTF-16LE bytes).
 */
import { crc32 } from 'node:zlib';

/**
 * CRC-32 (IEEE) of a string's UTF-16 code units, low byte first: the CRC of its UTF-16LE bytes, so zlib computes
 * it natively (3-5x faster than a table loop in JS, and the same value: journals written before read as they were).
 *
 * @example
 * ```ts
 * checksum('["H",1]'); // a 32-bit unsigned integer
 * ```
 */
export function checksum(text: string): number {
  return crc32(Buffer.from(text, 'utf16le'));
}

/** A journal record: an operation tag followed by its fields, exactly as `JSON.stringify` wrote them. */
export type JournalEntry = readonly unknown[];

/**
 * Encodes one journal record as a checksummed line, newline included.
 *
 * @example
 * ```ts
 * encodeJournalLine(['T', 's1', 1, 2]); // '<crc> ["T","s1",1,2]\n'
 * ```
 */
export function encodeJournalLine(entry: JournalEntry): string {
  return encodeJournalText(JSON.stringify(entry));
}

/**
 * {@link encodeJournalLine} for a record already serialised as a JSON array, so a caller that holds a
 * message's JSON can embed it without stringifying it twice.
 *
 * @example
 * ```ts
 * encodeJournalText('["E","s1","_GET_stream",1,0,{"jsonrpc":"2.0","method":"ping"}]');
 * ```
 */
export function encodeJournalText(json: string): string {
  return `${checksum(json).toString(16).padStart(8, '0')} ${json}\n`;
}

/**
 * Decodes a line written by {@link encodeJournalLine} (without its newline). Undefined for anything
 * torn, zero-filled or otherwise corrupt: the caller skips it.
 *
 * @example
 * ```ts
 * decodeJournalLine(encodeJournalLine(['T', 's1', 1, 2]).trimEnd()); // ['T', 's1', 1, 2]
 * decodeJournalLine('0000 ["T"'); // undefined
 * ```
 */
export function decodeJournalLine(line: string): JournalEntry | undefined {
  if (line.length < 11 || line.charCodeAt(8) !== 0x20) return undefined;
  const expected = Number.parseInt(line.slice(0, 8), 16);
  const json = line.slice(9);
  if (!Number.isInteger(expected) || checksum(json) !== expected) return undefined;
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) && typeof parsed[0] === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
