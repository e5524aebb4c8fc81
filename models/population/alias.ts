/**
 * Walker's alias method (Vose's stable construction): O(n) set-up, then O(1) draws from a discrete distribution
 * with one uniform number. Used to pick a user's country and device for each of millions of users.
 * Reference: M. D. Vose, "A linear algorithm for generating random numbers with a given distribution",
 * IEEE Trans. Software Eng. 17(9), 1991.
 */

/** A prepared discrete distribution over the indices 0..n-1. */
export interface AliasTable {
  /** Number of outcomes. */
  readonly size: number;
  /** Probability of keeping column k (else take alias[k]). */
  readonly prob: Float64Array;
  /** Alternative outcome of column k. */
  readonly alias: Int32Array;
}

/**
 * Builds an alias table from non-negative weights (need not sum to 1).
 * @param weights one weight per outcome
 * @returns the table
 * @throws {RangeError} when there are no weights, a weight is negative or not finite, or all are zero
 * @example pickAlias(buildAlias([1, 3]), 0.9) // 1 (outcome 1 has probability 3/4)
 */
export function buildAlias(weights: readonly number[]): AliasTable {
  const n = weights.length;
  if (n === 0) throw new RangeError('buildAlias: no outcomes');
  let total = 0;
  for (const [i, w] of weights.entries()) {
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`buildAlias: weight ${i} is ${w}; weights must be finite and >= 0`);
    total += w;
  }
  if (!(total > 0)) throw new RangeError('buildAlias: all weights are zero');
  const prob = new Float64Array(n);
  const alias = new Int32Array(n);
  const scaled = weights.map((w) => (w * n) / total);
  const small: number[] = [];
  const large: number[] = [];
  scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
  while (small.length > 0 && large.length > 0) {
    const s = small.pop()!;
    const l = large.pop()!;
    prob[s] = scaled[s]!;
    alias[s] = l;
    scaled[l] = scaled[l]! + scaled[s]! - 1;
    (scaled[l]! < 1 ? small : large).push(l);
  }
  // Leftovers are 1 up to rounding error.
  for (const i of large) { prob[i] = 1; alias[i] = i; }
  for (const i of small) { prob[i] = 1; alias[i] = i; }
  return { size: n, prob, alias };
}

/**
 * Draws an outcome.
 * @param table alias table
 * @param u uniform number in [0, 1)
 * @returns outcome index in [0, size)
 */
export function pickAlias(table: AliasTable, u: number): number {
  const x = u * table.size;
  const k = x | 0;
  return x - k < table.prob[k]! ? k : table.alias[k]!;
}
