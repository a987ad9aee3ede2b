/**
 * The node:http adapter's `Request` view (server/http/node-request.ts): cheap fields for what the pipeline
 * reads, a real `Request` built only when something asks for more, and the client-gone signal made on demand.
 */
import { describe, expect, test } from 'vitest';
import { nodeRequestView } from '../../server/http/node-request';

function view(onSignal: () => AbortSignal = () => new AbortController().signal): Request {
  return nodeRequestView({
    method: 'POST',
    url: 'http://127.0.0.1:3000/mcp?x=1',
    headers: new Headers({ 'mcp-session-id': 's-1', 'x-user': 'ada' }),
    signal: onSignal,
  });
}

describe('nodeRequestView', () => {
  test('is a Request with the method, URL and headers it was given', () => {
    const request = view();
    expect(request).toBeInstanceOf(Request);
    expect(Object.prototype.toString.call(request)).toBe('[object Request]');
    expect(request.method).toBe('POST');
    expect(request.url).toBe('http://127.0.0.1:3000/mcp?x=1');
    expect(request.headers.get('x-user')).toBe('ada');
  });

  test('asks for the signal only when it is read, and hands out the same one', () => {
    const gone = new AbortController();
    let asked = 0;
    const request = view(() => {
      asked += 1;
      return gone.signal;
    });
    expect(asked).toBe(0);
    expect(request.signal).toBe(gone.signal);
    expect(asked).toBe(1);
  });

  test('anything else comes from a real Request built once from the same parts', async () => {
    const gone = new AbortController();
    const request = view(() => gone.signal);
    expect(request.cache).toBe('default');
    expect(request.bodyUsed).toBe(false);
    const copy = request.clone();
    expect(copy).toBeInstanceOf(Request);
    expect(copy.url).toBe('http://127.0.0.1:3000/mcp?x=1');
    expect(copy.headers.get('mcp-session-id')).toBe('s-1');
    // No body: the pipeline reads it from the Node stream, never from the Request.
    expect(await request.text()).toBe('');
    gone.abort();
    expect(copy.signal.aborted).toBe(true);
  });
});
