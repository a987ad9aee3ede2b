import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEventMessage, encodeEventMessage, isPrimingEvent } from '../../server/stores/event-codec';

const ping: JSONRPCMessage = { jsonrpc: '2.0', method: 'ping' };

describe('event codec', () => {
  it('stores small messages as plain JSON', async () => {
    expect(await encodeEventMessage(ping)).toBe(`j${JSON.stringify(ping)}`);
  });

  it('deflates messages above the threshold, counting bytes rather than characters', async () => {
    // 1,500 three-byte characters: 1,500 chars but 4,500+ bytes, above the 4,096-byte default.
    const wide: JSONRPCMessage = { jsonrpc: '2.0', method: 'notifications/message', params: { text: '€'.repeat(1_500) } };
    const stored = await encodeEventMessage(wide);
    expect(stored.startsWith('z')).toBe(true);
    expect(stored.length).toBeLessThan(JSON.stringify(wide).length / 5);
    expect(await decodeEventMessage(stored)).toEqual(wide);
  });

  it('honours a custom threshold, 0 compressing everything', async () => {
    expect((await encodeEventMessage(ping, { compressAboveBytes: 0 })).startsWith('z')).toBe(true);
    expect((await encodeEventMessage(ping, { compressAboveBytes: 10_000 })).startsWith('j')).toBe(true);
  });

  it('round-trips any JSON-RPC notification at any threshold', async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.integer({ min: 0, max: 256 }), async (params, compressAboveBytes) => {
        checked += 1;
        const message: JSONRPCMessage = JSON.parse(JSON.stringify({ jsonrpc: '2.0', method: 'm', params: { value: params } }));
        expect(await decodeEventMessage(await encodeEventMessage(message, { compressAboveBytes }))).toEqual(message);
      }),
      { numRuns: 100 },
    );
    expect(checked).toBe(100);
  });

  it('rejects an unknown encoding tag instead of guessing', async () => {
    await expect(decodeEventMessage('x{}')).rejects.toThrow(/Unknown stored event encoding "x"/);
  });

  it('recognises the SDK priming event and nothing else as priming', () => {
    expect(isPrimingEvent(JSON.parse('{}'))).toBe(true);
    expect(isPrimingEvent(ping)).toBe(false);
  });
});
