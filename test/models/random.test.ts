import { describe, expect, it } from 'vitest';
import { createRng, hash32, scramble32, streamKey, toUnit } from '../../models/random.ts';

const TWO32 = 2n ** 32n;

/** Multiplicative inverse of an odd number modulo 2^32 (Newton iteration: x <- x (2 - a x)). */
function inverseMod32(a: number): number {
  const A = BigInt(a >>> 0);
  let x = A; // correct to 3 bits for odd a; each step doubles the bits
  for (let i = 0; i < 5; i++) x = (x * (2n - A * x)) % TWO32;
  return Number(((x % TWO32) + TWO32) % TWO32);
}

/** lowbias32 as published (Wellons, hash-prospector), written independently with BigInt arithmetic. */
function lowbias32Reference(v: number): number {
  let x = BigInt(v >>> 0);
  x ^= x >> 16n;
  x = (x * 0x7feb352dn) % TWO32;
  x ^= x >> 15n;
  x = (x * 0x846ca68bn) % TWO32;
  x ^= x >> 16n;
  return Number(x);
}

/** The inverse of lowbias32: undo each step in reverse order. */
function unscramble32(v: number): number {
  const inv2 = inverseMod32(0x846ca68b);
  const inv1 = inverseMod32(0x7feb352d);
  let x = v >>> 0;
  x ^= x >>> 16; // x ^= x >> 16 is its own inverse on 32 bits
  x = Math.imul(x, inv2) >>> 0;
  x ^= (x >>> 15) ^ (x >>> 30); // inverse of x ^= x >> 15
  x = Math.imul(x, inv1) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

describe('scramble32', () => {
  it('matches an independent BigInt implementation of lowbias32', () => {
    for (const x of [0, 1, 2, 3, 0xffffffff, 0x80000000, 123456789, 0xdeadbeef]) {
      expect(scramble32(x)).toBe(lowbias32Reference(x));
    }
    expect(scramble32(0)).toBe(0); // xor-shift-multiply maps 0 to 0
  });

  it('returns unsigned 32-bit integers and uses only the low 32 bits', () => {
    for (let i = 0; i < 1000; i++) {
      const v = scramble32(i * 7919);
      expect(Number.isInteger(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(2 ** 32);
    }
    expect(scramble32(5 + 2 ** 32)).toBe(scramble32(5));
    expect(scramble32(-1)).toBe(scramble32(0xffffffff));
  });

  it('is a bijection: no collisions over 1e6 consecutive inputs', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 1_000_000; i++) seen.add(scramble32(i));
    expect(seen.size).toBe(1_000_000);
  });

  it('is inverted exactly by the reversed steps (so it is a bijection on all of 2^32)', () => {
    expect(Math.imul(inverseMod32(0x7feb352d), 0x7feb352d) >>> 0).toBe(1);
    expect(Math.imul(inverseMod32(0x846ca68b), 0x846ca68b) >>> 0).toBe(1);
    let mismatches = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = Math.imul(i, 0x9e3779b9) >>> 0;
      if (unscramble32(scramble32(x)) !== x) mismatches++;
    }
    expect(mismatches).toBe(0);
  });
});

describe('hash32 and streamKey', () => {
  it('are pure functions of their arguments', () => {
    expect(hash32(1, 2)).toBe(hash32(1, 2));
    expect(streamKey(1, 'users.name')).toBe(streamKey(1, 'users.name'));
  });

  it('hash32 spreads consecutive indexes without collisions on a sample', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 100_000; i++) seen.add(hash32(12345, i));
    // 1e5 draws from 2^32 values: expected collisions ~ n^2 / 2^33 ~ 1.2
    expect(seen.size).toBeGreaterThan(100_000 - 10);
  });

  it('hash32 uses the high bits of large indexes', () => {
    expect(hash32(7, 5)).not.toBe(hash32(7, 5 + 2 ** 32));
  });

  it('streamKey separates labels and seeds, including seeds above 2^32', () => {
    expect(streamKey(1, 'a')).not.toBe(streamKey(1, 'b'));
    expect(streamKey(1, 'a')).not.toBe(streamKey(2, 'a'));
    expect(streamKey(1, 'a')).not.toBe(streamKey(1 + 2 ** 32, 'a'));
  });

  it('toUnit maps to the open interval (0, 1)', () => {
    expect(toUnit(0)).toBe(0.5 / 2 ** 32);
    expect(toUnit(0xffffffff)).toBeLessThan(1);
    expect(toUnit(0xffffffff)).toBe((2 ** 32 - 0.5) / 2 ** 32);
  });
});

describe('createRng', () => {
  it('gives the same sequence for the same seed and label', () => {
    const a = createRng(42, 'test');
    const b = createRng(42, 'test');
    const sa = Array.from({ length: 100 }, () => a.next());
    const sb = Array.from({ length: 100 }, () => b.next());
    expect(sa).toEqual(sb);
    const na = createRng(42, 'test');
    const nb = createRng(42, 'test');
    expect(Array.from({ length: 51 }, () => na.normal())).toEqual(Array.from({ length: 51 }, () => nb.normal()));
  });

  it('gives different sequences for different seeds or labels', () => {
    const seq = (seed: number, label: string): number[] => {
      const r = createRng(seed, label);
      return Array.from({ length: 20 }, () => r.next());
    };
    expect(seq(1, 'x')).not.toEqual(seq(2, 'x'));
    expect(seq(1, 'x')).not.toEqual(seq(1, 'y'));
  });

  it('draws uniforms in (0, 1) with mean ~0.5, variance ~1/12 and flat deciles', () => {
    const rng = createRng(7, 'uniform');
    const n = 200_000;
    const bins = new Array<number>(10).fill(0);
    let sum = 0;
    let sumSq = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      if (!(u > 0 && u < 1)) outside++;
      sum += u;
      sumSq += u * u;
      bins[Math.floor(u * 10)]! += 1;
    }
    expect(outside).toBe(0);
    const mean = sum / n;
    // sd of the mean = sqrt(1/12 / n) ~ 0.00065; 0.004 is over 6 sd
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.004);
    expect(Math.abs(sumSq / n - mean * mean - 1 / 12)).toBeLessThan(0.002);
    // chi-square with 9 degrees of freedom; 27.9 is its 0.999 quantile
    const expected = n / 10;
    const chi2 = bins.reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(27.9);
  });

  it('draws standard normals with mean ~0, sd ~1 and ~68.3% within one sd', () => {
    const rng = createRng(11, 'normal');
    const n = 200_000;
    let sum = 0;
    let sumSq = 0;
    let within = 0;
    let nonFinite = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      if (!Number.isFinite(z)) nonFinite++;
      sum += z;
      sumSq += z * z;
      if (Math.abs(z) < 1) within++;
    }
    expect(nonFinite).toBe(0);
    const mean = sum / n;
    const sd = Math.sqrt(sumSq / n - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(0.015); // sd of the mean ~ 0.0022
    expect(Math.abs(sd - 1)).toBeLessThan(0.01);
    expect(Math.abs(within / n - 0.682689)).toBeLessThan(0.006);
  });
});
