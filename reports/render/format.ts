/**
 * Number and text formatting shared by the Markdown and HTML renderers, so both show the same figures the same way.
 * Pure; every function accepts null/undefined/NaN and returns an em dash for "no value".
 */

/** Shown where a value is absent. */
export const NONE = '—';

const ok = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Formats a count or rate with thousands separators: integers above 100 rounded, smaller values with `digits`.
 * @param v the value
 * @param digits decimals for values below 100 (default 1)
 * @returns text, or {@link NONE}
 * @example num(12345.6) // "12,346"
 */
export function num(v: number | null | undefined, digits = 1): string {
  if (!ok(v)) return NONE;
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  if (Number.isInteger(v)) return String(v);
  return v.toFixed(digits);
}

/**
 * Formats a value with up to 4 (or `digits`) significant digits and no trailing zeros (thresholds' measured values:
 * 0.05, 312.4); from 1000 up rounded with thousands separators.
 * @param v the value
 * @param digits significant digits below 1000 (default 4)
 * @returns text, or {@link NONE}
 * @example sig(0.05) // "0.05"
 * @example sig(12.345, 3) // "12.3"
 */
export function sig(v: number | null | undefined, digits = 4): string {
  if (!ok(v)) return NONE;
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return String(Number(v.toPrecision(digits)));
}

/**
 * Formats an integer count with thousands separators.
 * @param v count
 * @returns text, or {@link NONE}
 * @example int(1234) // "1,234"
 */
export function int(v: number | null | undefined): string {
  return ok(v) ? Math.round(v).toLocaleString('en-US') : NONE;
}

/**
 * Formats a device or phone count in millions with one decimal.
 * @param v count
 * @returns text like `61.1M`, or {@link NONE}
 */
export function millions(v: number | null | undefined): string {
  return ok(v) ? `${(v / 1e6).toFixed(1)}M` : NONE;
}

/**
 * Formats milliseconds: below 10 ms with two decimals, below 100 with one, else rounded.
 * @param v duration, ms
 * @returns text like `312 ms`, or {@link NONE}
 */
export function ms(v: number | null | undefined): string {
  if (!ok(v)) return NONE;
  const t = Math.abs(v) < 10 ? v.toFixed(2) : Math.abs(v) < 100 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US');
  return `${t} ms`;
}

/**
 * Formats a ratio in [0, 1] as a percentage with up to two decimals (small error rates matter).
 * @param v ratio
 * @returns text like `0.25%`, or {@link NONE}
 */
export function pct(v: number | null | undefined): string {
  if (!ok(v)) return NONE;
  const p = v * 100;
  return `${p === 0 ? '0' : Math.abs(p) < 1 ? p.toFixed(2) : Math.abs(p) < 10 ? p.toFixed(1) : Math.round(p)}%`;
}

/**
 * Formats a signed relative change: 0.3 -> `+30.0%`.
 * @param v relative change (0.3 = 30% up)
 * @returns text, or {@link NONE}
 */
export function signedPct(v: number | null | undefined): string {
  if (!ok(v)) return NONE;
  const p = v * 100;
  return `${p >= 0 ? '+' : ''}${p.toFixed(1)}%`;
}

/**
 * Formats money without decimals: `USD 45,000`.
 * @param v amount
 * @param currency ISO currency code
 * @returns text, or {@link NONE}
 */
export function money(v: number | null | undefined, currency: string): string {
  return ok(v) ? `${currency} ${Math.round(v).toLocaleString('en-US')}` : NONE;
}
