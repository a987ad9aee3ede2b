import { describe, expect, test } from 'vitest';
import { formatTraceparent, withTraceContext } from '../../src/telemetry/index';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const spanId = '00f067aa0ba902b7';
const traceparent = `00-${traceId}-${spanId}-01`;

describe('formatTraceparent', () => {
  test.each([
    [{ traceId, spanId, traceFlags: 1 }, traceparent],
    [{ traceId, spanId, traceFlags: 0 }, `00-${traceId}-${spanId}-00`],
    [{ traceId, spanId, traceFlags: 0x1ff }, `00-${traceId}-${spanId}-ff`],
  ])('formats %o', (context, expected) => {
    expect(formatTraceparent(context)).toBe(expected);
  });

  test.each([
    ['an all-zero trace id (the no-op span)', { traceId: '0'.repeat(32), spanId, traceFlags: 0 }],
    ['an all-zero span id', { traceId, spanId: '0'.repeat(16), traceFlags: 1 }],
    ['upper-case hex', { traceId: traceId.toUpperCase(), spanId, traceFlags: 1 }],
    ['a short trace id', { traceId: traceId.slice(1), spanId, traceFlags: 1 }],
  ])('sends nothing for %s', (_, context) => {
    expect(formatTraceparent(context)).toBeUndefined();
  });
});

describe('withTraceContext', () => {
  test('returns the same params object when the call is not traced', () => {
    const params = { name: 'echo' };
    expect(withTraceContext(params, { traceparent: undefined, tracestate: undefined })).toBe(params);
    expect(withTraceContext(undefined, { traceparent: undefined, tracestate: undefined })).toBeUndefined();
  });

  test('adds _meta.traceparent and tracestate without touching the caller’s objects', () => {
    const meta = { progressToken: 3 };
    const params = { name: 'echo', arguments: { text: 'hi' }, _meta: meta };
    const sent = withTraceContext(params, { traceparent, tracestate: 'rojo=00f067aa0ba902b7' });
    expect(sent).toEqual({ name: 'echo', arguments: { text: 'hi' }, _meta: { progressToken: 3, traceparent, tracestate: 'rojo=00f067aa0ba902b7' } });
    expect(params._meta).toBe(meta);
    expect(meta).toEqual({ progressToken: 3 });
  });

  test('creates _meta for a request without params', () => {
    expect(withTraceContext(undefined, { traceparent, tracestate: undefined })).toEqual({ _meta: { traceparent } });
  });

  test('keeps a traceparent the caller set, and sends no tracestate of ours beside it', () => {
    const own = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`;
    const sent = withTraceContext({ _meta: { traceparent: own } }, { traceparent, tracestate: 'rojo=1' });
    expect(sent).toEqual({ _meta: { traceparent: own } });
  });
});
