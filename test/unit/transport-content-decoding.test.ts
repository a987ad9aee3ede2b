import { Readable } from 'node:stream';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { ProtocolError } from '../../src/errors';
import { contentCodings, decodeBody, isDecodingFailure } from '../../src/transport/content-decoding';

async function decode(bytes: Buffer, codings: string[]): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of decodeBody(Readable.from([bytes]), codings)) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

describe('contentCodings', () => {
  test.each([
    [undefined, []],
    ['', []],
    ['identity', []],
    ['GZIP', ['gzip']],
    ['gzip, br', ['gzip', 'br']],
    ['x-gzip,deflate', ['x-gzip', 'deflate']],
  ])('%j -> %j', (header, codings) => {
    expect(contentCodings(header)).toEqual(codings);
  });

  test.each(['zstd-ish', 'compress2', 'gzip, gzip, gzip, gzip'])('%j is refused as invalid_content_type', (header) => {
    expect(() => contentCodings(header)).toThrow(expect.objectContaining({ code: 'PROTOCOL_ERROR', reason: 'invalid_content_type' }));
  });
});

describe('decodeBody', () => {
  test.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ] as const)('undoes %s', async (coding, compress) => {
    await expect(decode(compress(Buffer.from('{"ok":true}')), [coding])).resolves.toBe('{"ok":true}');
  });

  test('undoes a chain in reverse order of application', async () => {
    await expect(decode(brotliCompressSync(gzipSync(Buffer.from('layered'))), ['gzip', 'br'])).resolves.toBe('layered');
  });

  test('a corrupt body is ProtocolError(invalid_message); a failing body passes its own error through', async () => {
    await expect(decode(Buffer.from('not gzip'), ['gzip'])).rejects.toMatchObject({ reason: 'invalid_message' });
    const reset = Object.assign(new Error('socket reset'), { code: 'UND_ERR_SOCKET' });
    const failing = new Readable({ read() { this.destroy(reset); } });
    const reading = (async () => {
      for await (const _ of decodeBody(failing, ['gzip'])) void _;
    })();
    await expect(reading).rejects.toBe(reset);
  });

  test('isDecodingFailure finds zlib codes in the cause chain, as fetch reports them', () => {
    const zlib = Object.assign(new Error('incorrect header check'), { code: 'Z_DATA_ERROR' });
    expect(isDecodingFailure(new TypeError('terminated', { cause: zlib }))).toBe(true);
    expect(isDecodingFailure(Object.assign(new Error('x'), { code: 'ERR__ERROR_FORMAT_PADDING_1' }))).toBe(true);
    expect(isDecodingFailure(new TypeError('terminated', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) }))).toBe(false);
    expect(isDecodingFailure(new ProtocolError('x', { reason: 'invalid_json' }))).toBe(false);
  });
});
