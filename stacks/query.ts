/** zod helpers for query-string values, which arrive as strings. */
import { z } from 'zod';

/**
 * An optional query integer in [min, max], written in plain decimal digits.
 * @param min smallest allowed value
 * @param max largest allowed value
 * @returns a schema producing a number or undefined
 */
export function queryInt(min: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,16}$/, 'must be a non-negative integer in decimal digits')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional();
}

/**
 * The query parameters as a plain object; a repeated parameter becomes an array, which scalar schemas refuse.
 * @param q parsed query
 * @returns name -> value or values
 */
export function queryObject(q: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(q.keys())) {
    const all = q.getAll(key);
    out[key] = all.length === 1 ? all[0]! : all;
  }
  return out;
}
