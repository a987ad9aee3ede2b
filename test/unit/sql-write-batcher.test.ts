import { describe, expect, it } from 'vitest';
import { SqlWriteBatcher } from '../../server/stores/sql-write-batcher';

/** A write that records every batch it is given and fails as told. */
function recordingWrite(fail: (items: number[]) => Error | undefined) {
  const batches: number[][] = [];
  const write = async (items: number[]): Promise<number[]> => {
    batches.push(items);
    const error = fail(items);
    if (error !== undefined) throw error;
    return items.map((item) => item * 10);
  };
  return { batches, write };
}

function sqlError(code: string): Error {
  return Object.assign(new Error(`sqlstate ${code}`), { code });
}

describe('SqlWriteBatcher', () => {
  it('writes the calls of one tick as one batch and gives each caller its own result', async () => {
    const { batches, write } = recordingWrite(() => undefined);
    const batcher = new SqlWriteBatcher(write);
    expect(await Promise.all([1, 2, 3].map((item) => batcher.add(item)))).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('retries each call alone when the database refuses the batch for its data, failing only the bad one', async () => {
    const { batches, write } = recordingWrite((items) => (items.includes(2) ? sqlError('23505') : undefined));
    const batcher = new SqlWriteBatcher(write);
    const outcomes = await Promise.allSettled([1, 2, 3].map((item) => batcher.add(item)));
    expect(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : (outcome.reason as Error).message))).toEqual([10, 'sqlstate 23505', 30]);
    expect(batches).toEqual([[1, 2, 3], [1], [2], [3]]);
  });

  it.each([
    ['a connection error', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['an admin shutdown', sqlError('57P01')],
    ['an error without a code', new Error('closed')],
  ])('fails the whole batch at once on %s, without retrying each call', async (_, error) => {
    const { batches, write } = recordingWrite(() => error);
    const batcher = new SqlWriteBatcher(write);
    const outcomes = await Promise.allSettled([1, 2, 3].map((item) => batcher.add(item)));
    expect(outcomes.every((outcome) => outcome.status === 'rejected' && outcome.reason === error)).toBe(true);
    expect(batches).toEqual([[1, 2, 3]]);
  });
});
