/**
 * k6 `ramping-vus`: the number of looping VUs follows `stages` linearly from `startVUs`. As in k6's
 * getRawExecutionSteps, the global VU count reaches u at `stageEnd - duration * (target - u) / (target - from)`, and
 * this segment's count at that moment is its striped share of u. A VU removed by a ramp-down finishes its iteration
 * within `gracefulRampDown`, else it is interrupted; after the last stage the rest get `gracefulStop`.
 */
import type { ScenarioConfig } from '../../spec.ts';
import type { ExecutionTuple } from '../segments.ts';
import { type ExecutorEnv, finishGracefully, giveBack, iterate, takeVus, wait } from '../executor.ts';
import type { Vu } from '../vu.ts';

/** Config of a ramping-vus scenario. */
export type RampingVusConfig = Extract<ScenarioConfig, { executor: 'ramping-vus' }>;

/** A change of the planned VU count of this segment at a time offset (ms from the scenario start). */
export interface VuStep {
  /** Offset from the scenario start, ms. */
  at: number;
  /** VUs this segment should run from then on. */
  vus: number;
}

/**
 * This segment's VU count over time, as k6 plans it.
 * @param config the scenario
 * @param tuple the execution segment
 * @returns steps in time order, the first at 0 (startVUs)
 */
export function plannedVuSteps(config: Pick<RampingVusConfig, 'startVUs' | 'stages'>, tuple: ExecutionTuple): VuStep[] {
  const steps: VuStep[] = [{ at: 0, vus: tuple.scale(config.startVUs) }];
  const add = (at: number, vus: number): void => {
    const last = steps[steps.length - 1]!;
    if (last.vus === vus) return;
    if (last.at === at) last.vus = vus;
    else steps.push({ at, vus });
  };
  let from = config.startVUs;
  let end = 0;
  for (const stage of config.stages) {
    end += stage.duration;
    const to = stage.target;
    if (stage.duration === 0) {
      add(end, tuple.scale(to));
    } else if (to !== from) {
      const diff = to - from;
      const dir = Math.sign(diff);
      for (let u = from + dir; dir > 0 ? u <= to : u >= to; u += dir) {
        add(end - (stage.duration * (to - u)) / diff, tuple.scale(u));
      }
    }
    from = to;
  }
  return steps;
}

/**
 * Runs a ramping-vus scenario.
 * @param env executor environment
 */
export async function run(env: ExecutorEnv<RampingVusConfig>): Promise<void> {
  const { config, tuple, stop } = env;
  const steps = plannedVuSteps(config, tuple);
  const maxVus = steps.reduce((m, s) => Math.max(m, s.vus), 0);
  // Per VU slot: whether it should loop, the VU it holds (taken from the pool while active or finishing, so the
  // `vus` gauge follows the plan as in k6), its running loop, and the timer that interrupts it after a ramp-down.
  const active = new Array<boolean>(maxVus).fill(false);
  const held = new Array<Vu | undefined>(maxVus);
  const loops = new Array<Promise<void> | undefined>(maxVus);
  const rampDownTimers = new Array<NodeJS.Timeout | undefined>(maxVus);
  let counter = 0;
  const loop = async (i: number, vu: Vu): Promise<void> => {
    while (active[i] && !stop.aborted && !vu.interrupted) {
      await iterate(env, vu, tuple.unscaledIndex(counter++), performance.now());
    }
    loops[i] = undefined;
    held[i] = undefined;
    clearTimeout(rampDownTimers[i]);
    giveBack(env, [vu]);
  };
  let current = 0;
  const apply = (planned: number): void => {
    for (let i = current; i < planned; i++) {
      active[i] = true;
      clearTimeout(rampDownTimers[i]);
      // A VU still finishing after a ramp-down simply keeps looping (k6 reuses it the same way).
      if (loops[i] === undefined) {
        const [vu] = takeVus(env, 1);
        held[i] = vu;
        loops[i] = loop(i, vu!);
      }
    }
    for (let i = planned; i < current; i++) {
      active[i] = false;
      rampDownTimers[i] = setTimeout(() => { if (!active[i]) held[i]?.interrupt(); }, config.gracefulRampDown);
    }
    current = planned;
  };
  const t0 = performance.now();
  for (const step of steps) {
    // Each step is waited for from the fixed start, so timer lateness never accumulates.
    await wait(step.at - (performance.now() - t0), stop);
    if (stop.aborted) break;
    apply(step.vus);
  }
  const total = config.stages.reduce((t, s) => t + s.duration, 0);
  await wait(total - (performance.now() - t0), stop);
  for (let i = 0; i < maxVus; i++) active[i] = false;
  const running = loops.filter((l): l is Promise<void> => l !== undefined);
  await finishGracefully(running, held.filter((v): v is Vu => v !== undefined), config.gracefulStop, stop);
  for (const t of rampDownTimers) clearTimeout(t);
}
