/**
 * k6 `constant-arrival-rate`: `rate` iterations per `timeUnit` for `duration`, started on an absolute schedule:
 * iteration g (test-wide, 0-based) is due at g * timeUnit / rate. An execution segment runs the iterations of its
 * stripe (k6's striped offsets) at their unscaled times, so segments together start exactly the whole schedule.
 * preAllocatedVUs and maxVUs are split over segments like any VU count.
 */
import type { ScenarioConfig } from '../../spec.ts';
import type { ExecutorEnv } from '../executor.ts';
import { runOpenModel } from '../scheduler.ts';

/** Config of a constant-arrival-rate scenario. */
export type ConstantArrivalRateConfig = Extract<ScenarioConfig, { executor: 'constant-arrival-rate' }>;

/**
 * Runs a constant-arrival-rate scenario.
 * @param env executor environment
 */
export async function run(env: ExecutorEnv<ConstantArrivalRateConfig>): Promise<void> {
  const { config, tuple } = env;
  const interval = config.timeUnit / config.rate;
  let k = 0;
  await runOpenModel(env, {
    next() {
      const index = tuple.unscaledIndex(k++);
      return { index, at: index * interval };
    },
    indexOf: (k) => tuple.unscaledIndex(k),
    durationMs: config.duration,
    preAllocatedVUs: tuple.scale(config.preAllocatedVUs),
    maxVUs: tuple.scale(config.maxVUs ?? config.preAllocatedVUs),
    gracefulStopMs: config.gracefulStop,
  });
}
