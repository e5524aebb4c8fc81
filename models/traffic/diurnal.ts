/**
 * Diurnal curves in UTC: a country's local-hour weights shifted by its time zone's offset, so countries in different
 * zones that share a data center add up hour by hour in the data center's (UTC) day.
 */

/**
 * UTC offset of an IANA time zone at an instant, in hours (e.g. 5.5 for Asia/Kolkata).
 * @param timeZone IANA zone name
 * @param at the instant (daylight saving depends on it)
 * @returns hours east of UTC
 * @throws {RangeError} when the zone is unknown
 */
export function utcOffsetHours(timeZone: string, at: Date): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name);
  if (!m) throw new RangeError(`utcOffsetHours: cannot read the offset of ${timeZone} ("${name}")`);
  if (!m[1]) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) + Number(m[3]) / 60);
}

/**
 * Normalises weights to a mean of 1.
 * @param weights non-negative weights, not all 0
 * @returns weights / mean
 * @throws {RangeError} when all weights are 0
 */
export function normaliseMean(weights: readonly number[]): number[] {
  const mean = weights.reduce((s, w) => s + w, 0) / weights.length;
  if (!(mean > 0)) throw new RangeError('normaliseMean: all weights are 0');
  return weights.map((w) => w / mean);
}

/**
 * A local-hour curve seen in UTC: weight of UTC hour h = local weight at h + offset, interpolated linearly between
 * hours for zones with half-hour offsets.
 * @param localWeights 24 weights for local hours 0..23 (mean 1)
 * @param offsetHours hours east of UTC
 * @returns 24 weights for UTC hours 0..23 (mean 1 when the input has mean 1)
 * @example utcCurve(w, 8)[4] // the weight of 12:00 local time in UTC+8
 */
export function utcCurve(localWeights: readonly number[], offsetHours: number): number[] {
  return Array.from({ length: 24 }, (_, h) => {
    const local = (((h + offsetHours) % 24) + 24) % 24;
    const lo = Math.floor(local);
    const frac = local - lo;
    const a = localWeights[lo]!;
    const b = localWeights[(lo + 1) % 24]!;
    return a + (b - a) * frac;
  });
}
