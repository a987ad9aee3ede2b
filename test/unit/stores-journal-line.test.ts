import { describe, expect, it } from 'vitest';
import { checksum, decodeJournalLine, encodeJournalLine } from '../../server/stores/journal-line';

/** The journal's checksum as first written: a table-driven CRC-32 over UTF-16 code units, low byte first. */
function tableChecksum(text: string): number {
  let crc = -1;
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    for (const byte of [unit & 0xff, unit >>> 8]) {
      crc ^= byte;
      for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
    }
  }
  return (crc ^ -1) >>> 0;
}

describe('journal line checksum', () => {
  it('is the value journals were written with, so existing journals read as before', () => {
    // Pinned from journals written by the table-driven version.
    expect(checksum('["H",2,1]').toString(16)).toBe('bdf2ac2b');
    expect(checksum('["E","s1","_GET_stream",1,0,{"jsonrpc":"2.0","method":"ping"}]').toString(16)).toBe('8c6f6e21');
    for (const text of ['', 'héllo ✓ 😀', '\ud800 lone', 'x\udfffy', '["T","s",1,2]'.repeat(300)]) {
      expect(checksum(text)).toBe(tableChecksum(text));
    }
  });

  it('round-trips a line and refuses one with a changed character', () => {
    const line = encodeJournalLine(['T', 'sé😀', 1, 2]).trimEnd();
    expect(decodeJournalLine(line)).toEqual(['T', 'sé😀', 1, 2]);
    expect(decodeJournalLine(line.replace('"T"', '"U"'))).toBeUndefined();
  });
});
