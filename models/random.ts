/**
 * Seeded randomness. Two tools, both pure and portable:
 * - `hash32`/`scramble32`: counter-based hashing, so a value for item i is a pure function of (seed, i) and can be
 *   computed in any order, on any shard (users, execution segments).
 * - `createRng`: a small sequential generator (sfc32) for Monte Carlo loops.
 * Written here rather than taken from a library because the counter-based form is what makes users O(1) to address
 * and shards exact; the mixers are the published lowbias32 (Chris Wellons, "hash-prospector") and sfc32 (Chris Doty-Humphrey, PractRand).
 */

/**
 * A bijection on 32-bit unsigned integers (lowbias32 finalizer): distinct inputs give distinct outputs.
 * @param x integer; only its low 32 bits are used
 * @returns a well-mixed unsigned 32-bit integer
 * @example scramble32(1) !== scramble32(2) // always, for all distinct 32-bit inputs
 */
export function scramble32(x: number): number {
  x = x >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * Hashes (a, b) to an unsigned 32-bit integer; not a bijection, but well mixed in both arguments.
 * @param a first key, e.g. a seed-derived stream key
 * @param b second key, e.g. an item index below 2^32
 * @returns unsigned 32-bit hash
 */
export function hash32(a: number, b: number): number {
  return scramble32(scramble32(a ^ 0x9e3779b9) + Math.imul(b >>> 0, 0x85ebca6b) + (b / 4294967296 >>> 0));
}

/**
 * Derives a 32-bit stream key from a seed and a label, so independent uses of one seed do not correlate.
 * @param seed user-facing seed (any safe integer)
 * @param label name of the stream, e.g. `"users.name"`
 * @returns unsigned 32-bit key
 */
export function streamKey(seed: number, label: string): number {
  let h = scramble32((seed >>> 0) ^ scramble32(Math.floor(seed / 4294967296)));
  for (let i = 0; i < label.length; i++) h = scramble32(h ^ label.charCodeAt(i));
  return h;
}

/**
 * Maps an unsigned 32-bit integer to a uniform double in the open interval (0, 1).
 * @param u unsigned 32-bit integer
 * @returns (u + 0.5) / 2^32
 */
export function toUnit(u: number): number {
  return ((u >>> 0) + 0.5) / 4294967296;
}

/** A seeded sequential generator of uniform and normal deviates. */
export interface Rng {
  /** Uniform double in (0, 1). */
  next(): number;
  /** Standard normal deviate (Box-Muller, using both halves of each pair). */
  normal(): number;
}

/**
 * Creates an sfc32 generator seeded from (seed, label): same seed and label -> same sequence on every platform.
 * @param seed user-facing seed
 * @param label name of the stream, so two loops on one seed draw independent numbers
 * @returns the generator
 */
export function createRng(seed: number, label: string): Rng {
  let a = streamKey(seed, `${label}#a`);
  let b = streamKey(seed, `${label}#b`);
  let c = streamKey(seed, `${label}#c`);
  let d = 1;
  let spare: number | undefined;
  const nextU32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Warm up as sfc32's author recommends, so nearby seeds diverge.
  for (let i = 0; i < 15; i++) nextU32();
  const next = (): number => toUnit(nextU32());
  return {
    next,
    normal(): number {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      const r = Math.sqrt(-2 * Math.log(next()));
      const theta = 2 * Math.PI * next();
      spare = r * Math.sin(theta);
      return r * Math.cos(theta);
    },
  };
}
