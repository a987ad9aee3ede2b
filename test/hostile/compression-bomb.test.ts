/**
 * Issue 9 case 4: byte limits count decoded bytes on both stacks. Measured before the fix: a gzip bomb behind a
 * small Content-Length went through `fetch`'s `text()` whole: +2,091 MB RSS over 12.4 s, then misreported as
 * MAYBE_EXECUTED. Now `fetch`'s decoded chunks are counted and the undici stack inflates under backpressure, so
 * both stop at maxResponseBytes with a definite ProtocolError('body_too_large').
 */
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { MCPClient, ProtocolError } from '../../src/index';
import { answerJson, startHostileServer } from './support/hostile-server';
import { STACKS, reportFigures, startLoopMonitor } from './support/loop-monitor';

const MIB = 1024 * 1024;
// Gzip members may be concatenated (RFC 1952 2.2): 128 members of 16 MiB of JSON whitespace = 2 GiB decoded, ~2 MB sent.
const GZIP_MEMBER = gzipSync(Buffer.alloc(16 * MIB, 0x20), { level: 9 });
const GZIP_BOMB = Buffer.concat(Array.from({ length: 128 }, () => GZIP_MEMBER));
// Brotli has no members; 64 MiB of whitespace (4x the cap) at quality 1 is ~12 KB.
const BROTLI_BOMB = brotliCompressSync(Buffer.alloc(64 * MIB, 0x20), { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } });

function bombServer(coding: 'gzip' | 'br', body: Buffer) {
  return startHostileServer({
    methods: {
      'tools/call': (_request, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': coding, 'content-length': body.byteLength });
        res.end(body);
        return true;
      },
    },
  });
}

describe.each(STACKS)('on the %s stack', (name, stack) => {
  test.each([
    ['gzip', GZIP_BOMB, 2048],
    ['br', BROTLI_BOMB, 64],
  ] as const)('a %s bomb is a definite body_too_large after maxResponseBytes decoded bytes', async (coding, body, decodedMib) => {
    await using server = await bombServer(coding, body);
    await using client = new MCPClient({ url: server.url, listen: false, ...stack });
    await client.listTools();
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 5);
    const monitor = startLoopMonitor();
    const started = performance.now();
    const error = await client.callTool('probe', {}).catch((caught: unknown) => caught);
    const wallMs = performance.now() - started;
    const gaps = monitor.stop();
    clearInterval(sampler);
    const growthMib = (rssPeak - rssBefore) / MIB;
    reportFigures(`case 4 ${coding} bomb ${decodedMib} MiB decoded (${name})`, { sentKiB: body.byteLength / 1024, rssGrowthMiB: growthMib, wallMs, ...gaps });
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe('PROTOCOL_ERROR');
    expect((error as ProtocolError).reason).toBe('body_too_large');
    expect(server.calls.get('tools/call')).toBe(1); // definite: not replayed, not MAYBE_EXECUTED
    expect(growthMib).toBeLessThan(200); // the cap is 16 MiB of text; the bomb is 64-2,048 MiB
    expect(wallMs).toBeLessThan(10_000);
    expect(gaps.maxBlockedMs).toBeLessThan(100);
  });

  test('a compressed answer within the limit is decoded, the same on both stacks', async () => {
    const text = JSON.stringify({ jsonrpc: '2.0', id: 0, result: { content: [{ type: 'text', text: 'x'.repeat(100_000) }] } });
    await using server = await startHostileServer({
      methods: {
        'tools/call': (request, res) => {
          const body = gzipSync(text.replace('"id":0', `"id":${JSON.stringify(request.id)}`));
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': body.byteLength });
          res.end(body);
          return true;
        },
      },
    });
    await using client = new MCPClient({ url: server.url, listen: false, ...stack });
    const result = await client.callTool('probe', {});
    expect(result.content).toEqual([{ type: 'text', text: 'x'.repeat(100_000) }]);
  });

  test('a body that is not what its Content-Encoding says is a definite ProtocolError', async () => {
    await using server = await startHostileServer({
      methods: {
        'tools/call': (_request, res) => {
          const body = Buffer.from('this is not gzip at all, not even close');
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': body.byteLength });
          res.end(body);
          return true;
        },
      },
    });
    await using client = new MCPClient({ url: server.url, listen: false, ...stack });
    const error = await client.callTool('probe', {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(server.calls.get('tools/call')).toBe(1);
  });
});

test('the undici stack refuses a coding it cannot undo, typed', async () => {
  await using server = await startHostileServer({
    methods: {
      'tools/call': (request, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'zz-unknown' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: request.id, result: { content: [] } }));
        return true;
      },
    },
  });
  await using client = new MCPClient({ url: server.url, listen: false });
  const error = await client.callTool('probe', {}).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ProtocolError);
  expect((error as ProtocolError).reason).toBe('invalid_content_type');
});
