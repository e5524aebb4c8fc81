import { describe, expect, it } from 'vitest';
import { shardRange } from '../../../models/population/shard.ts';

describe('shardRange', () => {
  it('tiles [0, N) in order with sizes differing by at most one', () => {
    for (const count of [0, 1, 7, 10, 1000, 99_999_999]) {
      for (const n of [1, 2, 3, 7, 16]) {
        let expectStart = 0;
        const sizes: number[] = [];
        for (let k = 1; k <= n; k++) {
          const r = shardRange(count, k, n);
          expect(r.start).toBe(expectStart);
          sizes.push(r.end - r.start);
          expectStart = r.end;
        }
        expect(expectStart).toBe(count);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('matches the documented formula and stays exact beyond 2^53 / n', () => {
    expect(shardRange(10, 2, 3)).toEqual({ start: 3, end: 6 });
    expect(shardRange(2 ** 32, 3, 3).end).toBe(2 ** 32);
  });

  it('rejects shards outside 1..n and negative counts', () => {
    expect(() => shardRange(10, 0, 3)).toThrow(RangeError);
    expect(() => shardRange(10, 4, 3)).toThrow(RangeError);
    expect(() => shardRange(-1, 1, 1)).toThrow(RangeError);
  });
});
