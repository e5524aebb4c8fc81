/**
 * k6 `per-vu-iterations`: each VU runs exactly `iterations` iterations. At `maxDuration` no new iteration starts
 * (the ones not started are counted in dropped_iterations, as k6 does), and running ones get `gracefulStop`.
 * VUs are split over execution segments; each VU's iteration count is not.
 */
import type { ScenarioConfig } from '../../spec.ts';
import { drop, type ExecutorEnv, finishGracefully, giveBack, iterate, takeVus, wait } from '../executor.ts';
import type { Vu } from '../vu.ts';

/** Config of a per-vu-iterations scenario. */
export type PerVuIterationsConfig = Extract<ScenarioConfig, { executor: 'per-vu-iterations' }>;

/**
 * Runs a per-vu-iterations scenario.
 * @param env executor environment
 */
export async function run(env: ExecutorEnv<PerVuIterationsConfig>): Promise<void> {
  const { config, tuple, stop } = env;
  const vus = takeVus(env, tuple.scale(config.vus));
  env.stats.scheduled += vus.length * config.iterations;
  const end = new AbortController();
  const loop = async (vu: Vu): Promise<void> => {
    for (let i = 0; i < config.iterations; i++) {
      if (end.signal.aborted || stop.aborted || vu.interrupted) {
        drop(env, config.iterations - i);
        return;
      }
      // Test-wide number: VU v's i-th iteration is v * iterations + i, unique across segments.
      await iterate(env, vu, (vu.idInTest - 1) * config.iterations + i, performance.now());
    }
  };
  const loops = vus.map(loop);
  const all = Promise.all(loops);
  const timer = new AbortController();
  await Promise.race([all, wait(config.maxDuration, AbortSignal.any([stop, timer.signal]))]);
  timer.abort();
  end.abort();
  await finishGracefully(loops, vus, config.gracefulStop, stop);
  giveBack(env, vus);
}
