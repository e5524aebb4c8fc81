/**
 * When the stand-in k6 binary starts which iteration, on which VU, for each of k6's six executors. The stand-in runs
 * ONE iteration at a time (the generated script's http.request blocks), so a closed model's VUs take turns (the VU
 * that has waited longest goes next) and an open model's iterations that fall due while another one runs are dropped,
 * k6's rule for an iteration due when no VU is idle. It is a stand-in for files, flags and flow, not for load: its
 * throughput is one connection's. Times are ms from the test start.
 */
import { arrivalTimes } from '../../../scenarios/engine/executors/ramping-arrival-rate.ts';
import type { ScenarioConfig } from '../../../scenarios/spec.ts';

/** An iteration to start: k6's numbers for k6/execution. */
export interface Start {
  /** exec.vu.idInTest. */
  vu: number;
  /** exec.vu.iterationInScenario. */
  iterationInScenario: number;
  /** exec.scenario.iterationInTest. */
  iterationInTest: number;
}

/** Test-wide VU numbers (1-based), lowest free first, shared by the scenarios as k6 shares its initialized VUs. */
export class VuNumbers {
  readonly #free: number[] = [];
  #next = 1;

  /** @param n how many @returns the numbers */
  take(n: number): number[] {
    this.#free.sort((a, b) => a - b);
    const out = this.#free.splice(0, n);
    while (out.length < n) out.push(this.#next++);
    return out;
  }

  /** @param ids numbers to give back */
  give(ids: number[]): void {
    this.#free.push(...ids);
  }
}

/** One scenario's schedule. */
export interface ScenarioSchedule {
  readonly name: string;
  readonly config: ScenarioConfig;
  /** VUs it holds now. */
  vus(): number;
  /**
   * When its next iteration is due (it takes its VUs at its startTime and gives them back when it ends).
   * @param now time now
   * @returns the due time (at most `now` when one is due already), or undefined when the scenario is over
   */
  nextDue(now: number): number | undefined;
  /** Takes the due iteration. */
  start(): Start;
  /** An iteration (of any scenario) ended at `now`: @returns how many of this scenario's iterations fell due meanwhile and are dropped */
  afterIteration(now: number): number;
  /** The test stops: @returns iterations left undone that k6 counts as dropped (iteration-based executors) */
  leftover(): number;
}

/**
 * Creates the schedule of one scenario.
 * @param name scenario name
 * @param config validated scenario (durations in ms)
 * @param pool the test's VU numbers
 * @returns the schedule
 */
export function scheduleOf(name: string, config: ScenarioConfig, pool: VuNumbers): ScenarioSchedule {
  let ids: number[] | undefined;
  let over = false;
  let inTest = 0;
  const done = new Map<number, number>();
  const ready = new Map<number, number>();
  const begin = (n: number): boolean => {
    if (over) return false;
    if (ids === undefined) {
      ids = pool.take(n);
      for (const id of ids) ready.set(id, config.startTime);
    }
    return true;
  };
  const end = (): undefined => {
    if (!over && ids !== undefined) pool.give(ids);
    over = true;
    return undefined;
  };
  let ran: number | undefined;
  const iterationOn = (vu: number): Start => {
    ran = vu;
    const i = done.get(vu) ?? 0;
    done.set(vu, i + 1);
    return { vu, iterationInScenario: i, iterationInTest: inTest++ };
  };
  // The VU that has waited longest among the first `n` (VUs take turns).
  const longestWaiting = (n: number): number => {
    let best = ids![0]!;
    for (const id of ids!.slice(0, n)) if (ready.get(id)! < ready.get(best)!) best = id;
    return best;
  };
  let chosen = 0;
  // A closed model's VU is ready again when its own iteration ends.
  const closedAfter = (now: number): number => {
    if (ran !== undefined) ready.set(ran, now);
    ran = undefined;
    return 0;
  };
  const closed = (n: number, until: number, active: (now: number) => number) => (now: number): number | undefined => {
    if (now < config.startTime) return config.startTime;
    if (!begin(n) || now >= until) return end();
    const a = active(now);
    if (a < 1) return now + 10; // ramping-vus at 0 VUs: look again shortly
    chosen = longestWaiting(a);
    return Math.max(config.startTime, ready.get(chosen)!);
  };
  const base = { name, config, vus: () => (over || ids === undefined ? 0 : ids.length) };

  switch (config.executor) {
    case 'constant-vus': {
      const until = config.startTime + config.duration;
      return { ...base, nextDue: closed(config.vus, until, () => config.vus), start: () => iterationOn(chosen), afterIteration: closedAfter, leftover: () => 0 };
    }
    case 'ramping-vus': {
      const peak = Math.max(config.startVUs, ...config.stages.map((s) => s.target));
      const until = config.startTime + config.stages.reduce((t, s) => t + s.duration, 0);
      const active = (now: number): number => {
        let t = config.startTime;
        let from = config.startVUs;
        for (const s of config.stages) {
          if (now < t + s.duration) return Math.floor(from + ((s.target - from) * (now - t)) / s.duration);
          t += s.duration;
          from = s.target;
        }
        return from;
      };
      return { ...base, nextDue: closed(peak, until, active), start: () => iterationOn(chosen), afterIteration: closedAfter, leftover: () => 0 };
    }
    case 'per-vu-iterations':
    case 'shared-iterations': {
      const perVu = config.executor === 'per-vu-iterations';
      const vus = perVu ? config.vus : Math.min(config.vus, config.iterations);
      const total = perVu ? config.vus * config.iterations : config.iterations;
      const until = config.startTime + config.maxDuration;
      let started = 0;
      const left = (vu: number): boolean => !perVu || (done.get(vu) ?? 0) < config.iterations;
      return {
        ...base,
        nextDue(now) {
          if (now < config.startTime) return config.startTime;
          if (!begin(vus) || now >= until || started >= total) return end();
          chosen = ids!.filter(left).reduce((b, id) => (ready.get(id)! < ready.get(b)! ? id : b));
          return now;
        },
        start: () => { started++; return iterationOn(chosen); },
        afterIteration: closedAfter,
        leftover: () => total - started,
      };
    }
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate': {
      const timeOf = arrivalTimes(config.executor === 'ramping-arrival-rate' ? config
        : { startRate: config.rate, timeUnit: config.timeUnit, stages: [{ target: config.rate, duration: config.duration }] });
      // Iteration g (0-based) is due when the area under the rate reaches g + 1 (the engine's and k6's rule).
      let g = 0;
      let due = timeOf(1);
      const advance = (): void => { g++; due = timeOf(g + 1); };
      return {
        ...base,
        nextDue(now) {
          if (now < config.startTime) return config.startTime;
          // One VU runs them all: every VU is idle whenever the stand-in is free to start one.
          if (!begin(1) || due === undefined) return end();
          return config.startTime + due;
        },
        start() {
          advance();
          return iterationOn(ids![0]!);
        },
        afterIteration(now) {
          let dropped = 0;
          if (now < config.startTime || !begin(1)) return 0;
          while (due !== undefined && config.startTime + due < now) {
            dropped++;
            advance();
          }
          return dropped;
        },
        leftover: () => 0,
      };
    }
  }
}
