/**
 * k6 `ramping-arrival-rate`: the rate goes linearly from `startRate` through each stage's `target` (iterations per
 * `timeUnit`). As in k6's `cal`, iteration g (test-wide, 0-based) is due when the area under the rate curve reaches
 * g + 1, and no iteration is due past the area of the last stage. Segments run their stripe of g.
 */
import type { ScenarioConfig } from '../../spec.ts';
import type { ExecutorEnv } from '../executor.ts';
import { countDue, EXACT, runOpenModel } from '../scheduler.ts';

/** Config of a ramping-arrival-rate scenario. */
export type RampingArrivalRateConfig = Extract<ScenarioConfig, { executor: 'ramping-arrival-rate' }>;

/** The rate curve of a ramping-arrival-rate scenario, both ways: time of an area, and area at a time. */
export interface RateCurve {
  /** Offset (ms from the start) where the area reaches `n` (1-based iteration count), or undefined past the end. */
  timeOf(n: number): number | undefined;
  /** Area under the rate (iterations) from the start to offset `t` ms. */
  areaAt(t: number): number;
  /** Area of all stages (iterations). */
  totalArea: number;
}

/**
 * Builds the rate curve of a ramping-arrival-rate scenario.
 * @param config start rate, time unit and stages
 * @returns the curve; its functions take any argument order
 */
export function rateCurve(config: Pick<RampingArrivalRateConfig, 'startRate' | 'timeUnit' | 'stages'>): RateCurve {
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
  const timeOf = (n: number): number | undefined => {
    // The first stage whose area reaches n (binary search), past any zero-rate stages (nothing is due inside them).
    let lo = 0;
    let hi = stages.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (n > stages[mid]!.after + 1e-9) lo = mid + 1;
      else hi = mid;
    }
    while (lo < stages.length && stages[lo]!.from === 0 && stages[lo]!.to === 0) lo++;
    const st = stages[lo];
    if (st === undefined) return undefined;
    const a = n - st.before;
    if (st.from === st.to) return st.start + a / st.to;
    // Solve from*x + (to-from)*x^2/(2*dur) = a for x in [0, dur].
    const disc = st.dur * (st.from * st.from * st.dur + 2 * a * (st.to - st.from));
    const x = (st.from * st.dur - Math.sqrt(Math.max(0, disc))) / (st.from - st.to);
    return st.start + Math.min(Math.max(x, 0), st.dur);
  };
  const areaAt = (t: number): number => {
    if (t <= 0) return 0;
    for (const st of stages) {
      if (t >= st.start + st.dur) continue;
      const x = t - st.start;
      return st.before + st.from * x + (st.to - st.from) * x * x / (2 * st.dur);
    }
    return area;
  };
  return { timeOf, areaAt, totalArea: area };
}

/**
 * Due offset (ms from the scenario start) of the iteration reached at area `n` (1-based), or undefined past the end.
 * @param config start rate, time unit and stages
 * @returns a function of n
 */
export function arrivalTimes(config: Pick<RampingArrivalRateConfig, 'startRate' | 'timeUnit' | 'stages'>): (n: number) => number | undefined {
  return rateCurve(config).timeOf;
}

/**
 * Test-wide slots of a ramping-arrival-rate scenario: the whole iterations under its rate curve.
 * @param curve the scenario's curve
 * @returns the slot count
 */
export function rampingSlots(curve: RateCurve): number {
  let n = Math.max(0, Math.floor(curve.totalArea + 1e-9));
  if (n >= EXACT) return n;
  // Settled on timeOf itself, which decides what is due.
  while (n > 0 && curve.timeOf(n) === undefined) n--;
  while (n < EXACT && curve.timeOf(n + 1) !== undefined) n++;
  return n;
}

/**
 * Runs a ramping-arrival-rate scenario.
 * @param env executor environment
 */
export async function run(env: ExecutorEnv<RampingArrivalRateConfig>): Promise<void> {
  const { config, tuple } = env;
  const curve = rateCurve(config);
  const slots = rampingSlots(curve);
  const dueAt = (g: number): number => curve.timeOf(g + 1)!;
  await runOpenModel(env, {
    total: tuple.scale(slots),
    at: (k) => dueAt(tuple.unscaledIndex(k)),
    // Slot g is due when the area reaches g + 1: floor(area) slots are due by t.
    dueBy: (t) => tuple.scale(countDue(curve.areaAt(t) + 1e-9, dueAt, t, slots)),
    indexOf: (k) => tuple.unscaledIndex(k),
    // Iterations due exactly at the end still start (k6 includes area == total), hence the tiny epsilon.
    durationMs: config.stages.reduce((t, s) => t + s.duration, 0) + 1e-6,
    preAllocatedVUs: tuple.scale(config.preAllocatedVUs),
    maxVUs: tuple.scale(config.maxVUs ?? config.preAllocatedVUs),
    gracefulStopMs: config.gracefulStop,
  });
}
