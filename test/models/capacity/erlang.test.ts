import { describe, expect, it } from 'vitest';
import { erlangB, erlangC, mmc, serversForWait } from '../../../models/capacity/erlang.ts';

const rel = (a: number, b: number): number => Math.abs(a / b - 1);

/**
 * Exact Erlang B and C for an integer load A, as a ratio of big integers, independent of the recursion:
 * multiplying B = (A^c/c!) / Σ_{k<=c} A^k/k! through by c! gives B = A^c / T_c with T_m = m·T_{m−1} + A^m, T_0 = 1;
 * and C = c·B / (c − A(1 − B)) = c·A^c / (c·T_c − A·(T_c − A^c)).
 */
function exactErlang(A: number, c: number): { b: number; c: number } {
  const a = BigInt(A);
  let power = 1n; // A^m
  let t = 1n; // T_m
  for (let m = 1; m <= c; m++) {
    power *= a;
    t = BigInt(m) * t + power;
  }
  const C = BigInt(c);
  return { b: ratio(power, t), c: A < c ? ratio(C * power, C * t - a * (t - power)) : 1 };
}

/** p / q for positive big integers, rounded to a double (64 quotient bits, then one rounding). */
function ratio(p: bigint, q: bigint): number {
  const shift = q.toString(2).length - p.toString(2).length + 64;
  const scaled = shift >= 0 ? (p << BigInt(shift)) / q : p / (q << BigInt(-shift));
  return Number(scaled) * 2 ** -shift;
}

describe('erlangB', () => {
  it('matches hand values: B(A, 0) = 1, B(1, 1) = 1/2, B(2, 2) = (2²/2!)/(1 + 2 + 2) = 0.4', () => {
    expect(erlangB(3, 0)).toBe(1);
    expect(erlangB(1, 1)).toBe(0.5);
    expect(erlangB(2, 2)).toBeCloseTo(0.4, 15);
    expect(erlangB(0, 5)).toBe(0);
  });

  it('matches Erlang B table values (erlang.com, Westbay Engineers)', () => {
    // "How much traffic can a trunk group handle": 15 lines at 1% blocking carry 8.108 erlangs (4 digits printed).
    expect(Math.abs(erlangB(8.108, 15) - 0.01)).toBeLessThan(2e-6);
    // Forum answer: 1200 calls/hour of 100 s = 33.333 erlangs needs 45 lines for 1% blocking (44 are not enough).
    expect(erlangB(33.333, 45)).toBeLessThanOrEqual(0.01);
    expect(erlangB(33.333, 44)).toBeGreaterThan(0.01);
  });

  it('rejects bad input naming the function and the value', () => {
    expect(() => erlangB(-1, 2)).toThrow(/erlangB: load .* got -1/);
    expect(() => erlangB(1, 2.5)).toThrow(/erlangB: servers .* got 2.5/);
    expect(() => erlangB(Number.NaN, 2)).toThrow(RangeError);
  });
});

describe('erlangC and mmc', () => {
  it('reproduces the worked call-centre example: 360 calls per half hour of 4 minutes on 55 agents', () => {
    // Mitan Ltd, "The Erlang-C formula" (PhoneCalc notes), reproduced in Maxima with the page's numbers:
    // A = 48 erlangs, E_C = 0.2387, mean wait (ASA) 8.184 s, P(wait <= 15 s) = 0.8459. Tolerance: 4 digits.
    const r = mmc({ arrivalRate: 360 / 1800, serviceTime: 240, servers: 55 });
    expect(r.offeredLoad).toBeCloseTo(48, 12);
    expect(r.utilization).toBeCloseTo(48 / 55, 12);
    expect(r.pWait).toBeCloseTo(0.2387, 4);
    expect(r.meanWait).toBeCloseTo(8.184, 3);
    expect(r.meanResponse).toBeCloseTo(248.184, 3);
    expect(r.stable).toBe(true);
    // Service level of the same page: P(W <= t) = 1 − C·exp(−(c − A)·t/S).
    expect(1 - r.pWait * Math.exp((-(55 - 48) * 15) / 240)).toBeCloseTo(0.8459, 4);
    expect(erlangC(48, 55)).toBe(r.pWait);
  });

  it('reduces to the M/M/1 and M/M/2 closed forms (Kleinrock, Queueing Systems vol. 1, §3.2-3.5)', () => {
    // M/M/1: P(wait) = ρ, Wq = ρ/(μ − λ).
    const one = mmc({ arrivalRate: 6, serviceTime: 0.1, servers: 1 });
    expect(one.pWait).toBeCloseTo(0.6, 14);
    expect(one.meanWait).toBeCloseTo(0.6 / (10 - 6), 14);
    // M/M/2 with ρ = λ/(2μ): P(wait) = 2ρ²/(1 + ρ), Wq = P(wait)/(2μ − λ).
    const rho = 0.75;
    const two = mmc({ arrivalRate: 15, serviceTime: 0.1, servers: 2 });
    expect(two.pWait).toBeCloseTo((2 * rho * rho) / (1 + rho), 14);
    expect(two.meanWait).toBeCloseTo(two.pWait / (20 - 15), 14);
  });

  it('reports an unstable queue (A >= c) as P(wait) = 1, infinite wait, stable = false', () => {
    for (const servers of [4, 5]) {
      const r = mmc({ arrivalRate: 100, serviceTime: 0.05, servers });
      expect(r).toEqual({ offeredLoad: 5, utilization: 5 / servers, pWait: 1, meanWait: Infinity, meanResponse: Infinity, stable: false });
    }
    expect(erlangC(5, 5)).toBe(1);
    expect(erlangC(7, 5)).toBe(1);
    expect(erlangC(3, 0)).toBe(1);
  });

  it('rejects bad queues naming the function and the value', () => {
    expect(() => mmc({ arrivalRate: 0, serviceTime: 1, servers: 1 })).toThrow(/mmc: arrivalRate .* got 0/);
    expect(() => mmc({ arrivalRate: 1, serviceTime: -1, servers: 1 })).toThrow(/mmc: serviceTime .* got -1/);
    expect(() => mmc({ arrivalRate: 1, serviceTime: 1, servers: 0 })).toThrow(/mmc: servers .* got 0/);
  });
});

describe('Erlang B and C at thousands of servers', () => {
  // Reference: exact big-integer ratios (exactErlang above), independent of the floating-point recursion.
  // Tolerance 1e-12 relative: the recursion's rounding grows at most linearly with c (5000 · 2^-53 ≈ 6e-13); observed
  // errors are about 1e-15.
  it('the exact reference itself agrees with hand values', () => {
    expect(exactErlang(2, 2)).toEqual({ b: 0.4, c: 1 });
    expect(exactErlang(48, 55).c).toBeCloseTo(0.2387, 4);
  });

  it.each([
    [4900, 5000],
    [5000, 5000],
    [4700, 5000],
    [5100, 5000],
    [2000, 2100],
  ])('A = %i erlangs on c = %i servers: finite and equal to the exact value', (A, c) => {
    const exact = exactErlang(A, c);
    const b = erlangB(A, c);
    const C = erlangC(A, c);
    expect(Number.isFinite(b) && b > 0 && b < 1).toBe(true);
    expect(rel(b, exact.b)).toBeLessThan(1e-12);
    expect(rel(C, exact.c)).toBeLessThan(1e-12);
  });

  it('stays finite for a non-integer load near saturation and sizes it', () => {
    const r = mmc({ arrivalRate: 49_999, serviceTime: 0.1, servers: 5000 });
    expect(r.stable).toBe(true);
    expect(r.pWait).toBeGreaterThan(0.9);
    expect(r.pWait).toBeLessThanOrEqual(1);
    expect(Number.isFinite(r.meanWait)).toBe(true);
    const c = serversForWait({ arrivalRate: 49_999, serviceTime: 0.1, targetWait: 0.001 });
    expect(c).toBeGreaterThan(5000);
    expect(c).toBeLessThan(5200);
  });
});

describe('serversForWait', () => {
  it.each([
    [0.2, 240, 20],
    [0.2, 240, 8.184],
    [1000, 0.05, 0.005],
    [3, 0.1, 1],
    [480, 0.25, 0.0001],
  ])('rate %f/s, service %f s, target %f s: the smallest c meeting the target', (rate, serviceTime, targetWait) => {
    const c = serversForWait({ arrivalRate: rate, serviceTime, targetWait });
    expect(mmc({ arrivalRate: rate, serviceTime, servers: c }).meanWait).toBeLessThanOrEqual(targetWait);
    if (c > 1) expect(mmc({ arrivalRate: rate, serviceTime, servers: c - 1 }).meanWait).toBeGreaterThan(targetWait);
  });

  it('needs 53 agents for a 20 s mean wait in the call-centre example (55 give 8.18 s)', () => {
    expect(serversForWait({ arrivalRate: 0.2, serviceTime: 240, targetWait: 20 })).toBe(53);
  });

  it('rejects a non-positive target', () => {
    expect(() => serversForWait({ arrivalRate: 1, serviceTime: 1, targetWait: 0 })).toThrow(/serversForWait: targetWait .* got 0/);
  });
});

describe('erlangB warm start', () => {
  it('equals the full recursion from B(0) = 1 to the last bit, far above and below the offered load', () => {
    const full = (a: number, c: number): number => {
      let b = 1;
      for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
      return b;
    };
    for (const a of [200, 5_000, 60_000]) {
      for (const f of [0.95, 1, 1.02, 1.3]) {
        const c = Math.round(a * f);
        expect(erlangB(a, c)).toBe(full(a, c));
      }
    }
  });
});
