/**
 * The optimized placement's design demand on the least-regret basis: the newsvendor fractile of the planner's regret
 * weights, read off the lognormal through a figure's p50 and p90. Values worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { atQuantile, designQuantile } from '../../../../models/capacity/optimize/design-demand.ts';

describe('designQuantile', () => {
  it('is 0.5, 0.9, or shortage / (shortage + surplus) (data/planner.json: 5 / (5 + 1) = 0.8333)', () => {
    expect(designQuantile('p50', { shortage: 5, surplus: 1 })).toBe(0.5);
    expect(designQuantile('p90', { shortage: 5, surplus: 1 })).toBe(0.9);
    expect(designQuantile('least-regret', { shortage: 5, surplus: 1 })).toBeCloseTo(5 / 6, 12);
  });
});

describe('atQuantile', () => {
  it('returns the band\'s own figures at 0.5 and 0.9', () => {
    expect(atQuantile({ p50: 100, p90: 200 }, 0.5)).toBe(100);
    expect(atQuantile({ p50: 100, p90: 200 }, 0.9)).toBe(200);
  });

  it('reads the lognormal through p50 and p90 at the least-regret fractile', () => {
    // By hand: z(5/6) = 0.96742, z(0.9) = 1.28155, so the value is 100 x 2^(0.96742 / 1.28155) = 100 x 2^0.75489 = 168.8
    // (normal quantiles from any table; simple-statistics' probit is accurate to about 1e-4 here).
    expect(atQuantile({ p50: 100, p90: 200 }, 5 / 6)).toBeCloseTo(168.8, 0);
    // A figure with no spread stays put; one whose p50 is 0 moves linearly in z.
    expect(atQuantile({ p50: 50, p90: 50 }, 5 / 6)).toBe(50);
    expect(atQuantile({ p50: 0, p90: 10 }, 5 / 6)).toBeCloseTo(10 * 0.96742 / 1.28155, 2);
  });
});
