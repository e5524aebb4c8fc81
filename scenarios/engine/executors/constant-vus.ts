/**
 * k6 `constant-vus`: a fixed number of VUs loop over the flow for `duration`; at the end, iterations in progress get
 * `gracefulStop` to finish, then are interrupted. VUs are split over execution segments with k6's striping.
 */
import type { ScenarioConfig } from '../../spec.ts';
import { type ExecutorEnv, finishGracefully, giveBack, iterate, takeVus, wait } from '../executor.ts';
import type { Vu } from '../vu.ts';

/** Config of a constant-vus scenario. */
export type ConstantVusConfig = Extract<ScenarioConfig, { executor: 'constant-vus' }>;

/**
 * Runs a constant-vus scenario to its end (duration + at most gracefulStop).
 * @param env executor environment
 */
export async function run(env: ExecutorEnv<ConstantVusConfig>): Promise<void> {
  const { config, tuple, stop } = env;
  const vus = takeVus(env, tuple.scale(config.vus));
  const end = new AbortController();
  let counter = 0;
  const loop = async (vu: Vu): Promise<void> => {
    while (!end.signal.aborted && !stop.aborted && !vu.interrupted) {
      await iterate(env, vu, tuple.unscaledIndex(counter++), performance.now());
    }
  };
  const loops = vus.map(loop);
  await wait(config.duration, stop);
  end.abort();
  await finishGracefully(loops, vus, config.gracefulStop, stop);
  giveBack(env, vus);
}
