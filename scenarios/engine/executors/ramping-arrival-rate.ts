/**
 * k6 `ramping-arrival-rate`: the rate goes linearly from `startRate` through each stage's `target` (iterations per
 * `timeUnit`). As in k6's `cal`, iteration g (test-wide, 0-based) is due when the area under the rate curve reaches
 * g + 1, and no iteration is due past the area of the last stage. Segments run their stripe of g.
 */
import type { ScenarioConfig } from '../../spec.ts';
import type { ExecutorEnv } from '../executor.ts';
import { runOpenModel } from '../scheduler.ts';

/** Config of a ramping-arrival-rate scenario. */
export type RampingArrivalRateConfig = Extract<ScenarioConfig, { executor: 'ramping-arrival-rate' }>;

/**
 * Due offset (ms from the scenario start) of the iteration reached at area `n` (1-based), or undefined past the end.
 * @param config start rate, time unit and stages
 * @returns a function of n; call it with increasing n for speed (it remembers the stage)
 */
export function arrivalTimes(config: Pick<RampingArrivalRateConfig, 'startRate' | 'timeUnit' | 'stages'>): (n: number) => number | undefined {
  const stages: { start: number; dur: number; from: number; to: number; before: number; after: number }[] = [];
  let from = config.startRate / config.timeUnit; // per ms
  let start = 0;
  let area = 0;
  for (const s of config.stages) {
    const to = s.target / config.timeUnit;
    const after = area + s.duration * (from + to) / 2;
    stages.push({ start, dur: s.duration, from, to, before: area, after });
    area = after;
    start += s.duration;
    from = to;
  }
  let si = 0;
  return (n) => {
    // Skip finished stages, and zero-rate stages (no iteration can be due inside them).
    while (si < stages.length && (n > stages[si]!.after + 1e-9 || (stages[si]!.from === 0 && stages[si]!.to === 0))) si++;
    const st = stages[si];
    if (st === undefined) return undefined;
    const a = n - st.before;
    if (st.from === st.to) return st.start + a / st.to;
    // Solve from*x + (to-from)*x^2/(2*dur) = a for x in [0, dur].
    const disc = st.dur * (st.from * st.from * st.dur + 2 * a * (st.to - st.from));
    const x = (st.from * st.dur - Math.sqrt(Math.max(0, disc))) / (st.from - st.to);
    return st.start + Math.min(Math.max(x, 0), st.dur);
  };
}

/**
 * Runs a ramping-arrival-rate scenario.
 * @param env executor environment
 */
export async function run(env: ExecutorEnv<RampingArrivalRateConfig>): Promise<void> {
  const { config, tuple } = env;
  const timeOf = arrivalTimes(config);
  let k = 0;
  await runOpenModel(env, {
    next() {
      const index = tuple.unscaledIndex(k++);
      const at = timeOf(index + 1);
      return at === undefined ? undefined : { index, at };
    },
    // Iterations due exactly at the end still start (k6 includes area == total), hence the tiny epsilon.
    indexOf: (k) => tuple.unscaledIndex(k),
    durationMs: config.stages.reduce((t, s) => t + s.duration, 0) + 1e-6,
    preAllocatedVUs: tuple.scale(config.preAllocatedVUs),
    maxVUs: tuple.scale(config.maxVUs ?? config.preAllocatedVUs),
    gracefulStopMs: config.gracefulStop,
  });
}
