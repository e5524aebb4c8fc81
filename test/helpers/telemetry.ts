/**
 * Test helper: synthetic telemetry from known demand. For each DC (its devices and country mix) and service (requests
 * per device per day and a local-hour curve), the expected rate of each step is the traffic model's own (devices x
 * rate x the DC's UTC mixture of the curve / 86400); the observed rate is a seeded Poisson count of requests in the
 * step divided by its length, so the noise is that of counting and the standard errors follow from the counts.
 */
import { createRng, type Rng } from '../../models/random.ts';
import type { DcMix } from '../../models/traffic/dc-mix.ts';
import { normaliseMean, utcCurve } from '../../models/traffic/diurnal.ts';

/** One synthetic sample. */
export interface SyntheticRow {
  /** Unix seconds. */
  time: number;
  dc: string;
  service: string;
  /** Observed requests/s (count / step). */
  rps: number;
  /** The count behind it. */
  count: number;
}

/** What to generate. */
export interface SyntheticSpec {
  seed: number;
  /** DC -> devices and countries (shares sum to 1, offsets in hours east of UTC). */
  dcs: Record<string, DcMix>;
  /** Service -> demand. */
  services: Record<string, { perDevicePerDay: number; localHourWeights: readonly number[] }>;
  /** First sample, unix seconds. */
  from: number;
  /** Number of samples per series. */
  steps: number;
  stepSeconds: number;
}

/**
 * A Poisson draw: inversion below 30, the normal approximation (rounded, at least 0) above, where it is within a
 * fraction of a per cent of the exact distribution in the moments the tests use (mean and variance).
 * @param rng seeded generator
 * @param lambda mean
 * @returns a count
 */
export function poisson(rng: Rng, lambda: number): number {
  if (lambda >= 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * rng.normal()));
  let k = 0;
  let p = Math.exp(-lambda);
  let cdf = p;
  const u = rng.next();
  while (u > cdf && k < 1000) {
    k++;
    p *= lambda / k;
    cdf += p;
  }
  return k;
}

/**
 * The expected rate of a DC and service at a UTC hour, requests/s.
 * @param mix the DC's devices and countries
 * @param perDevicePerDay requests per device per day
 * @param localHourWeights local curve (any scale)
 * @param hourUtc 0..23
 * @returns requests/s
 */
export function expectedRps(mix: DcMix, perDevicePerDay: number, localHourWeights: readonly number[], hourUtc: number): number {
  const w = normaliseMean(localHourWeights);
  const shape = mix.countries.reduce((s, c) => s + c.share * utcCurve(w, c.offsetHours)[hourUtc]!, 0);
  return (mix.devices * perDevicePerDay * shape) / 86400;
}

/**
 * Generates telemetry, in a fixed order (service, DC, time), so the same seed gives the same rows.
 * @param spec DCs, services, period, seed
 * @returns rows and the total count per service
 */
export function syntheticTelemetry(spec: SyntheticSpec): { rows: SyntheticRow[]; counts: Record<string, number> } {
  const rng = createRng(spec.seed, 'test.telemetry');
  const rows: SyntheticRow[] = [];
  const counts: Record<string, number> = {};
  for (const [service, d] of Object.entries(spec.services)) {
    counts[service] = 0;
    for (const [dc, mix] of Object.entries(spec.dcs)) {
      for (let i = 0; i < spec.steps; i++) {
        const time = spec.from + i * spec.stepSeconds;
        const hour = new Date(time * 1000).getUTCHours();
        const count = poisson(rng, expectedRps(mix, d.perDevicePerDay, d.localHourWeights, hour) * spec.stepSeconds);
        counts[service] += count;
        rows.push({ time, dc, service, rps: count / spec.stepSeconds, count });
      }
    }
  }
  return { rows, counts };
}

/**
 * Renders rows as telemetry CSV (`time,dc,service,rps`, ISO times).
 * @param rows samples
 * @returns CSV text
 */
export function telemetryCsv(rows: readonly SyntheticRow[]): string {
  return `time,dc,service,rps\n${rows.map((r) => `${new Date(r.time * 1000).toISOString()},${r.dc},${r.service},${r.rps}`).join('\n')}\n`;
}
