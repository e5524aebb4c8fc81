/**
 * Parsers for flag values, used by commander. Each throws commander's InvalidArgumentError so the message names
 * the flag and the bad value; cli/errors.ts maps that to exit 104.
 */
import { InvalidArgumentError } from 'commander';
import { parsePeriod } from '../models/quarter.ts';

/**
 * Parses a seed: a non-negative safe integer.
 * @param text flag value
 * @returns the seed
 * @throws {InvalidArgumentError} when not a non-negative integer
 */
export function parseSeed(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(`"${text}" is not a non-negative integer.`);
  }
  return n;
}

/**
 * Parses a positive number, allowing exponents (`100e6`) and a M/K suffix (`100M`).
 * @param text flag value
 * @returns the number
 * @throws {InvalidArgumentError} when not a positive finite number
 */
export function parsePositive(text: string): number {
  const m = /^\s*([0-9.]+(?:e[+-]?\d+)?)\s*([kKmMbB]?)\s*$/.exec(text);
  const scale = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6, b: 1e9, B: 1e9 } as const;
  const n = m ? Number(m[1]) * scale[(m[2] ?? '') as keyof typeof scale] : NaN;
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`"${text}" is not a positive number.`);
  return n;
}

/**
 * Parses a positive integer count (allows `10M`, `1e6`).
 * @param text flag value
 * @returns the integer
 * @throws {InvalidArgumentError} when not a positive integer
 */
export function parseCount(text: string): number {
  const n = parsePositive(text);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`"${text}" is not a positive integer.`);
  return n;
}

/**
 * Parses a quarter label such as `2017Q4`.
 * @param text flag value
 * @returns the normalised label
 * @throws {InvalidArgumentError} when not a quarter
 */
export function parseQuarter(text: string): string {
  const p = parsePeriod(text);
  if (!p || p.kind !== 'quarter') throw new InvalidArgumentError(`"${text}" is not a quarter like 2017Q4.`);
  return p.label;
}

/**
 * Parses a shard `k/n` (1-based: `1/4` .. `4/4`).
 * @param text flag value
 * @returns shard index k (1-based) and count n
 * @throws {InvalidArgumentError} when malformed or k is outside 1..n
 */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new InvalidArgumentError(`"${text}" is not a shard k/n with 1 <= k <= n (e.g. 2/4).`);
  }
  return { index, count };
}
