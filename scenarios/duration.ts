/**
 * k6 durations: strings such as `500ms`, `10s`, `1m30s`, `1.5h`, `250us`, or a plain number of milliseconds (k6 reads a
 * JSON number as milliseconds for duration options).
 */
import { LIMITS } from '../models/limits.ts';

const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 1e-6 };
const PART = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/y;

/**
 * Parses a k6 duration into milliseconds.
 * @param value a duration string (`"1m30s"`, `"250ms"`, `"0"`) or a number of milliseconds
 * @returns milliseconds (non-negative, may be fractional), or undefined when `value` is not a duration
 * @example parseDurationMs('1m30s') // 90000
 */
export function parseDurationMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text) === 0 ? 0 : undefined; // k6 accepts a bare "0" only
  if (text === '') return undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const m = PART.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
  }
  return total;
}

/** The longest duration a spec or flag may give, ms (data/limits.json maxDuration, 720h: see its reasoning). */
export const MAX_DURATION_MS: number = (() => {
  const ms = parseDurationMs(LIMITS.maxDuration);
  if (ms === undefined || ms <= 0) throw new RangeError(`data/limits.json maxDuration "${LIMITS.maxDuration}" is not a positive duration`);
  return ms;
})();

/**
 * Says what is wrong with a duration value, if anything: not a duration, or longer than {@link MAX_DURATION_MS}
 * (`"99999999999999999h"` parses, but no test runs that long and timers cannot hold it).
 * @param value a duration string or a number of milliseconds
 * @returns the problem, or undefined when `value` is a usable duration
 * @example durationProblem('1m30s') // undefined
 */
export function durationProblem(value: unknown): string | undefined {
  const ms = parseDurationMs(value);
  if (ms === undefined) return `${JSON.stringify(value)} is not a duration (e.g. "500ms", "10s", "1m30s")`;
  if (ms > MAX_DURATION_MS) return `${JSON.stringify(value)} is longer than ${LIMITS.maxDuration}, the longest duration caplab accepts (data/limits.json maxDuration)`;
  return undefined;
}

/**
 * Formats milliseconds the way k6 prints durations (`1m30s`, `500ms`), for messages.
 * @param ms milliseconds
 * @returns a k6 duration string
 */
export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms * 1000) / 1000}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.round(((ms % 60_000) / 1000) * 1000) / 1000;
  return `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${s}s`;
}
