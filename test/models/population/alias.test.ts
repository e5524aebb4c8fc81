import { describe, expect, it } from 'vitest';
import { buildAlias, pickAlias } from '../../../models/population/alias.ts';

/** Frequencies of each outcome over an evenly spaced grid of n uniforms: exact up to 1/n by construction. */
function gridFrequencies(weights: number[], n: number): number[] {
  const table = buildAlias(weights);
  const counts = new Array<number>(weights.length).fill(0);
  for (let j = 0; j < n; j++) counts[pickAlias(table, (j + 0.5) / n)]!++;
  return counts.map((c) => c / n);
}

describe('alias table (Vose 1991)', () => {
  it('reproduces the weights as probabilities', () => {
    const weights = [5, 1, 0, 3, 11, 0.5];
    const total = weights.reduce((s, w) => s + w, 0);
    const freq = gridFrequencies(weights, 200_000);
    weights.forEach((w, i) => expect(freq[i]).toBeCloseTo(w / total, 4));
  });

  it('never picks a zero-weight outcome and handles one outcome', () => {
    expect(gridFrequencies([0, 1, 0], 10_000)).toEqual([0, 1, 0]);
    expect(gridFrequencies([7], 100)).toEqual([1]);
  });

  it('rejects empty, negative, non-finite and all-zero weights', () => {
    expect(() => buildAlias([])).toThrow(RangeError);
    expect(() => buildAlias([1, -1])).toThrow(/weight 1/);
    expect(() => buildAlias([1, Number.NaN])).toThrow(RangeError);
    expect(() => buildAlias([1, Number.POSITIVE_INFINITY])).toThrow(RangeError);
    expect(() => buildAlias([0, 0])).toThrow(/zero/);
  });
});
