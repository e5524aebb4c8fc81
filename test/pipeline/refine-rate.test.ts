/**
 * The bisection step of the campaign's SLO-rate refinement (pipeline/capacity.ts nextRefineRate): where the next rate goes and when a bracket is done.
 */
import { describe, expect, it } from 'vitest';
import { nextRefineRate } from '../../pipeline/capacity.ts';

describe('nextRefineRate', () => {
  it('halves a bracket wider than the tolerance, and three halvings take a 37% bracket within 5%', () => {
    expect(nextRefineRate({ lower: 121, upper: 166 }, 0.05)).toBe(143.5);
    // Worst case: the SLO rate sits just above the lower end, so every round keeps the lower half.
    let i = { lower: 121, upper: 166 };
    let rounds = 0;
    for (let r = nextRefineRate(i, 0.05); r !== undefined; r = nextRefineRate(i, 0.05)) {
      i = { lower: i.lower, upper: r };
      rounds++;
    }
    expect(rounds).toBe(3);
    expect(i.upper / i.lower).toBeLessThanOrEqual(1.05);
  });

  it('needs no step for a bracket within the tolerance, an unbracketed rate or no sweep', () => {
    expect(nextRefineRate({ lower: 100, upper: 105 }, 0.05)).toBeUndefined();
    expect(nextRefineRate({ lower: 100, upper: null }, 0.05)).toBeUndefined();
    expect(nextRefineRate(undefined, 0.05)).toBeUndefined();
    // Narrower than a step's resolution (0.01 req/s): nothing left to split.
    expect(nextRefineRate({ lower: 0.01, upper: 0.02 }, 0.05)).toBeUndefined();
  });

  it('looks below the lowest swept rate when even that one failed', () => {
    expect(nextRefineRate({ lower: 0, upper: 33 }, 0.05)).toBe(16.5);
  });
});
