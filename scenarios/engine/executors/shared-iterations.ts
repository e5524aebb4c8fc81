/**
 * k6 `shared-iterations`: `iterations` iterations shared by `vus` VUs, each taking the next one as soon as it is
 * free. At `maxDuration` no new iteration starts and those not started are counted in dropped_iterations (k6);
 * running ones get `gracefulStop`. Both VUs and iterations are split over execution segments with k6's striping.
 */
import type { ScenarioConfig } from '../../spec.ts';
import { drop, type ExecutorEnv, finishGracefully, giveBack, iterate, takeVus, wait } from '../executor.ts';
import type { Vu } from '../vu.ts';

/** Config of a shared-iterations scenario. */
export type SharedIterationsConfig = Extract<ScenarioConfig, { executor: 'shared-iterations' }>;

/**
 * Runs a shared-iterations scenario.
 * @param env executor environment
 */
export async function run(env: ExecutorEnv<SharedIterationsConfig>): Promise<void> {
  const { config, tuple, stop } = env;
  const total = tuple.scale(config.iterations);
  env.stats.scheduled += total;
  // k6 never runs more VUs than iterations.
  const vus = takeVus(env, Math.min(tuple.scale(config.vus), total));
  const end = new AbortController();
  let next = 0;
  const loop = async (vu: Vu): Promise<void> => {
    while (next < total && !end.signal.aborted && !stop.aborted && !vu.interrupted) {
      const k = next++;
      await iterate(env, vu, tuple.unscaledIndex(k), performance.now());
    }
  };
  const loops = vus.map(loop);
  const timer = new AbortController();
  await Promise.race([Promise.all(loops), wait(config.maxDuration, AbortSignal.any([stop, timer.signal]))]);
  timer.abort();
  end.abort();
  await finishGracefully(loops, vus, config.gracefulStop, stop);
  drop(env, total - next);
  giveBack(env, vus);
}
