import { expect, test } from 'vitest';
import { acquireSharedAgent } from '../../src/transport/shared-agent';

const KEY = { headersTimeoutMs: 12_345, connectTimeoutMs: 1_234 };

test('clients with the same timeouts share one Agent, destroyed on the last release', async () => {
  const first = await acquireSharedAgent(KEY);
  const second = await acquireSharedAgent(KEY);
  expect(second.dispatcher).toBe(first.dispatcher);
  await first.release();
  await first.release(); // idempotent: must not drop the second client's reference
  expect(first.dispatcher.destroyed).toBe(false);
  await second.release();
  expect(first.dispatcher.destroyed).toBe(true);
  const third = await acquireSharedAgent(KEY);
  expect(third.dispatcher).not.toBe(first.dispatcher);
  await third.release();
});

test('different timeouts get different Agents', async () => {
  const one = await acquireSharedAgent(KEY);
  const other = await acquireSharedAgent({ ...KEY, connectTimeoutMs: 999 });
  expect(other.dispatcher).not.toBe(one.dispatcher);
  await Promise.all([one.release(), other.release()]);
  expect(one.dispatcher.destroyed && other.dispatcher.destroyed).toBe(true);
});
