/**
 * Reads the file store's journal on open. Every complete line whose checksum holds is handed to the
 * caller in order; a torn or corrupt line is skipped. Whatever follows the last good line (a batch the
 * crash cut short, never acknowledged: see `journal-writer.ts`) is cut off so that new appends do not
 * land behind garbage.
 */
import { closeSync, ftruncateSync, fstatSync, openSync, readSync } from 'node:fs';
import type { JournalEntry } from './journal-line';
import { decodeJournalLine } from './journal-line';

const READ_CHUNK_BYTES = 4 << 20;
const NEWLINE = 0x0a;

/**
 * What reading a journal found.
 *
 * @example
 * ```ts
 * const { entries, bytes } = readJournal('/data/journal.log', (entry) => state.apply(entry));
 * ```
 */
export interface JournalReadResult {
  /** Good lines applied. */
  entries: number;
  /** Corrupt lines skipped before the last good one. */
  skipped: number;
  /** Bytes cut off after the last good line. */
  truncatedBytes: number;
  /** Length of the journal after the cut: where the next append goes. */
  bytes: number;
}

/**
 * Streams the journal at `filePath` (which must exist) through `onEntry` (the entry and its line, newline
 * included), in chunks so a large journal never sits in memory twice, and truncates a torn tail.
 *
 * @example
 * ```ts
 * readJournal('/data/journal.log', (entry) => console.log(entry[0]));
 * ```
 */
export function readJournal(filePath: string, onEntry: (entry: JournalEntry, line: string) => void): JournalReadResult {
  const fd = openSync(filePath, 'r+');
  try {
    const size = fstatSync(fd).size;
    let position = 0;
    let carry = Buffer.alloc(0);
    let goodEnd = 0;
    let entries = 0;
    let badSinceGood = 0;
    let skipped = 0;
    const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, Math.max(size, 1)));
    while (position < size) {
      const read = readSync(fd, chunk, 0, chunk.length, position);
      if (read === 0) break;
      const data = carry.length === 0 ? chunk.subarray(0, read) : Buffer.concat([carry, chunk.subarray(0, read)]);
      const dataStart = position - carry.length;
      position += read;
      let lineStart = 0;
      for (let newline = data.indexOf(NEWLINE); newline !== -1; newline = data.indexOf(NEWLINE, lineStart)) {
        const text = data.toString('utf8', lineStart, newline);
        const entry = decodeJournalLine(text);
        if (entry === undefined) {
          badSinceGood += 1;
        } else {
          onEntry(entry, `${text}\n`);
          entries += 1;
          skipped += badSinceGood;
          badSinceGood = 0;
          goodEnd = dataStart + newline + 1;
        }
        lineStart = newline + 1;
      }
      // Copied: `chunk` is reused by the next read.
      carry = Buffer.from(data.subarray(lineStart));
    }
    if (goodEnd < size) ftruncateSync(fd, goodEnd);
    return { entries, skipped, truncatedBytes: size - goodEnd, bytes: goodEnd };
  } finally {
    closeSync(fd);
  }
}
