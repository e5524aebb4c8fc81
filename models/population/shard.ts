/**
 * Contiguous shards of a user run: shard k of n covers [floor((k-1)N/n), floor(kN/n)), so shards 1..n in order
 * tile [0, N) exactly and their sizes differ by at most one.
 */

/** A half-open range of user indices. */
export interface UserRange {
  /** First index (inclusive). */
  start: number;
  /** End index (exclusive). */
  end: number;
}

/**
 * The slice of shard k of n over count users.
 * @param count users in the whole run (>= 0)
 * @param k shard number, 1-based
 * @param n number of shards (>= 1)
 * @returns the shard's range
 * @throws {RangeError} when k is not in 1..n or count is negative
 * @example shardRange(10, 2, 3) // { start: 3, end: 6 }
 */
export function shardRange(count: number, k: number, n: number): UserRange {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`shard ${k}/${n}: need 1 <= k <= n`);
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count ${count} must be a non-negative integer`);
  // Multiply before dividing in exact integer arithmetic (count * k can pass 2^53 for huge runs).
  const at = (j: number): number => Number((BigInt(count) * BigInt(j)) / BigInt(n));
  return { start: at(k - 1), end: at(k) };
}
