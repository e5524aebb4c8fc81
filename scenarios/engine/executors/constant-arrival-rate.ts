/**
 * k6 `constant-arrival-rate`: `rate` iterations per `timeUnit` for `duration`, started on an absolute schedule:
 * iteration g (test-wide, 0-based) is due at g * timeUnit / rate. An execution segment runs the iterations of its
 * stripe (k6's striped offsets) at their unscaled times, so segments together start exactly the whole schedule.
 * preAllocatedVUs and maxVUs are split over segments like any VU count.
 */
import type { ScenarioConfig } from '../../spec.ts';
import type { ExecutorEnv } from '../executor.ts';
import { countDue, EXACT, runOpenModel } from '../scheduler.ts';

/** Config of a constant-arrival-rate scenario. */
export type ConstantArrivalRateConfig = Extract<ScenarioConfig, { executor: 'constant-arrival-rate' }>;

/**
 * Test-wide slots of a constant-arrival-rate scenario: those due before its duration (g * interval < duration).
 * @param config rate, time unit and duration
 * @returns the slot count (rate x duration / timeUnit, rounded up)
 */
export function constantSlots(config: Pick<ConstantArrivalRateConfig, 'rate' | 'timeUnit' | 'duration'>): number {
  const interval = config.timeUnit / config.rate;
  let n = Math.max(0, Math.ceil(config.duration / interval));
  if (n >= EXACT) return n;
  // The ceiling is computed in floating point: settle it on the due times themselves.
  while (n > 0 && (n - 1) * interval >= config.duration) n--;
  while (n < EXACT && n * interval < config.duration) n++;
  return n;
}

/**
 * Runs a constant-arrival-rate scenario.
 * @param env executor environment
 */
export async function run(env: ExecutorEnv<ConstantArrivalRateConfig>): Promise<void> {
  const { config, tuple } = env;
  const interval = config.timeUnit / config.rate;
  const dueAt = (g: number): number => g * interval;
  const slots = constantSlots(config);
  await runOpenModel(env, {
    total: tuple.scale(slots),
    at: (k) => dueAt(tuple.unscaledIndex(k)),
    // Slots 0..n-1 are due by t when (n - 1) * interval <= t.
    dueBy: (t) => tuple.scale(countDue(t / interval + 1, dueAt, t, slots)),
    indexOf: (k) => tuple.unscaledIndex(k),
    durationMs: config.duration,
    preAllocatedVUs: tuple.scale(config.preAllocatedVUs),
    maxVUs: tuple.scale(config.maxVUs ?? config.preAllocatedVUs),
    gracefulStopMs: config.gracefulStop,
  });
}
