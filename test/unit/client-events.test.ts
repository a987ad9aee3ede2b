import { expect, test, vi } from 'vitest';
import { TypedEmitter } from '../../src/client/events';

type Events = { tick: { n: number }; other: string };

test('on() delivers payloads until the returned function unsubscribes', () => {
  const events = new TypedEmitter<Events>();
  const seen: number[] = [];
  const off = events.on('tick', ({ n }) => seen.push(n));
  events.emit('tick', { n: 1 });
  off();
  events.emit('tick', { n: 2 });
  expect(seen).toEqual([1]);
});

test('once() fires a single time', () => {
  const events = new TypedEmitter<Events>();
  const listener = vi.fn();
  events.once('other', listener);
  events.emit('other', 'a');
  events.emit('other', 'b');
  expect(listener).toHaveBeenCalledTimes(1);
  expect(listener).toHaveBeenCalledWith('a');
});

test('a throwing listener does not stop the others', () => {
  const events = new TypedEmitter<Events>();
  const second = vi.fn();
  events.on('tick', () => {
    throw new Error('boom');
  });
  events.on('tick', second);
  expect(() => events.emit('tick', { n: 1 })).not.toThrow();
  expect(second).toHaveBeenCalledTimes(1);
});

test('has() reports listeners; emitting with none is a no-op', () => {
  const events = new TypedEmitter<Events>();
  expect(events.has('tick')).toBe(false);
  events.emit('tick', { n: 1 });
  events.on('tick', () => {});
  expect(events.has('tick')).toBe(true);
});
