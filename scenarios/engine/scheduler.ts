/**
 * The open model's dispatcher, shared by the arrival-rate executors. Iterations are due at absolute offsets from the
 * scenario start (computed from the iteration's index, never by chaining timers), so lateness never accumulates.
 * When an iteration is due and no VU of the scenario is idle, it is dropped (k6 `dropped_iterations`) even below
 * maxVUs, and one more VU is added in the background (one at a time, as k6 does) while any are left. Each started
 * iteration records `caplab_schedule_lag` (actual minus intended start). Iterations are numbered when they start, as
 * k6 numbers them (`iterationInTest`): the k-th started iteration of this segment gets the k-th test-wide index of the
 * segment's stripe, so a dropped slot does not use up a number and the numbers stay unique across segments.
 */
import { drop, type ExecutorEnv, finishGracefully, giveBack, iterate, takeVus } from './executor.ts';
import { epochOf } from './flow.ts';
import { BUILTIN_METRICS } from './metrics/builtin.ts';
import type { MetricDef } from './metrics/types.ts';
import type { Vu } from './vu.ts';

const LAG = (BUILTIN_METRICS as Record<string, MetricDef>).caplab_schedule_lag!;

/** The schedule of an open-model scenario in this segment; slots are numbered k = 0, 1, ... in due order. */
export interface OpenSchedule {
  /** Slots of this segment in the whole schedule (all due before {@link OpenSchedule.durationMs}). */
  total: number;
  /** Due offset (ms from the scenario start) of this segment's k-th slot, k < total. Non-decreasing in k. */
  at(k: number): number;
  /**
   * How many of this segment's slots are due at or before offset `t` (ms from the scenario start), at most total:
   * computed, not counted one by one, so a flood of missed slots costs one call.
   */
  dueBy(t: number): number;
  /** The test-wide index of this segment's k-th slot (0-based): the number the k-th started iteration gets. */
  indexOf(k: number): number;
  /** Regular duration, ms: nothing starts at or after it. */
  durationMs: number;
  /** VUs made ready before the start. */
  preAllocatedVUs: number;
  /** Most VUs the scenario may use. */
  maxVUs: number;
  /** Grace for iterations still running at the end, ms. */
  gracefulStopMs: number;
}

/** Below this, counts are exact integers in floating point and one slot more or less can be settled. */
export const EXACT = 2 ** 52;

/**
 * The count of slots g = 0, 1, ... with `dueAt(g) <= t`, below `limit`, from an estimate that may be off by a few
 * (floating-point rounding of the inverse): corrected against `dueAt` itself, so counting and starting agree exactly.
 * @param estimate the inverse of dueAt at t, rounded down
 * @param dueAt due offset of slot g, non-decreasing
 * @param t the offset
 * @param limit slots in the schedule
 * @returns the count, 0..limit
 */
export function countDue(estimate: number, dueAt: (g: number) => number, t: number, limit: number): number {
  let n = Math.min(limit, Math.max(0, Number.isFinite(estimate) ? Math.floor(estimate) : limit));
  // Past 2^52 a step of one is lost to rounding (and the loops would not end): the estimate stands.
  if (n >= EXACT) return n;
  while (n > 0 && dueAt(n - 1) > t) n--;
  while (n < limit && n < EXACT && dueAt(n) <= t) n++;
  return n;
}

/** How early to wake from a timer before a due time, ms: Node timers are late by up to ~1 ms, so the rest is polled. */
const TIMER_SLACK_MS = 1.5;

/**
 * Most time one tick spends starting due iterations before it lets the event loop run I/O, ms. Behind schedule (a
 * GC pause, or a burst of VUs each opening its first connection, measured at 0.2-0.4 ms of CPU each), starting every
 * due iteration in one go leaves the responses that already arrived unread, so their VUs do not count as idle: the
 * scheduler takes more cold VUs (more connects, a longer tick) and finally drops, a cascade measured at the start of
 * 10,000 it/s (100-600 dropped with 200 VUs of which ~20 suffice in steady state). Yielding lets a VU whose iteration
 * ended before the next one fell due be idle for it, as it would be in k6, whose VUs finish in parallel.
 */
const TICK_BUDGET_MS = 0.5;

/**
 * Longest sleep while no VU is idle, ms. Then nothing can start, so the scheduler does not poll: it sleeps until a VU
 * frees up (counting every slot that fell due meanwhile as dropped, since none found an idle VU) or this long, so
 * dropped_iterations keeps flowing when every VU hangs. Polling instead spun the loop and emitted a sample per turn,
 * hundreds of thousands a second at rate 1e12.
 */
const NO_VU_WAIT_MS = 100;

/**
 * Runs an open-model schedule to its end (duration plus at most gracefulStop).
 * @param env executor environment
 * @param schedule due times, VU limits and grace period
 */
export async function runOpenModel(env: ExecutorEnv, schedule: OpenSchedule): Promise<void> {
  const { stop } = env;
  const owned: Vu[] = takeVus(env, schedule.preAllocatedVUs);
  const idle: Vu[] = [...owned];
  let unplanned = Math.max(0, schedule.maxVUs - schedule.preAllocatedVUs);
  let allocating = false;
  const running = new Set<Promise<void>>();
  const start = (vu: Vu, index: number, due: number): void => {
    const now = performance.now();
    env.emitter.emit(LAG, now - due, env.ctx.tags, epochOf(now));
    const p = iterate(env, vu, index, due).then(() => {
      running.delete(p);
      if (!vu.interrupted) onIdle(vu);
    });
    running.add(p);
  };
  let warned = false;
  const addVuInBackground = (): void => {
    if (unplanned === 0 && !warned) {
      warned = true;
      env.warn(`Insufficient VUs, reached ${schedule.maxVUs} active VUs and cannot initialize more (scenario ${env.name})`);
    }
    if (unplanned === 0 || allocating) return;
    allocating = true;
    unplanned--;
    setImmediate(() => {
      allocating = false;
      if (stop.aborted) return;
      const [vu] = takeVus(env, 1);
      owned.push(vu!);
      onIdle(vu!);
    });
  };
  const t0 = performance.now();
  const end = t0 + schedule.durationMs;
  // The next slot of this segment not yet started or dropped.
  let k = 0;
  let timer: NodeJS.Timeout | undefined;
  let tick: () => void = () => {};
  // Every VU is busy and the tick sleeps until one frees up (see NO_VU_WAIT_MS).
  let waiting = false;
  const dropDue = (): void => {
    const due = schedule.dueBy(performance.now() - t0);
    if (due <= k) return;
    env.stats.scheduled += due - k;
    drop(env, due - k);
    k = due;
  };
  function onIdle(vu: Vu): void {
    if (waiting) {
      // The slots due until now found no idle VU: dropped, as they would have been one by one.
      waiting = false;
      dropDue();
      clearTimeout(timer);
      setImmediate(tick);
    }
    idle.push(vu);
  }
  // Started iterations of this segment so far: the k-th gets the k-th slot's index, so drops use up no number.
  let startedHere = 0;
  await new Promise<void>((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      waiting = false;
      clearTimeout(timer);
      stop.removeEventListener('abort', finish);
      resolve();
    };
    // A stop must not wait for a far-away timer (a long zero-rate stage).
    stop.addEventListener('abort', finish, { once: true });
    tick = (): void => {
      waiting = false;
      if (done) return;
      if (stop.aborted) return finish();
      const budgetEnd = performance.now() + TICK_BUDGET_MS;
      for (;;) {
        // Re-read the clock: iterations that fell due while this tick ran start in it too (within the budget).
        const now = performance.now();
        if (now >= end) {
          // The duration is over. Slots still waiting start on the VUs idle now (a timer woke a little late), once
          // each; the rest never start: dropped, or a flood behind schedule would go on starting them past the end.
          while (k < schedule.total && idle.length > 0) {
            env.stats.scheduled++;
            start(idle.pop()!, schedule.indexOf(startedHere++), t0 + schedule.at(k));
            k++;
          }
          dropDue();
          return finish();
        }
        const due = schedule.dueBy(now - t0);
        if (due <= k) break;
        if (idle.length === 0) {
          // No VU is idle for any slot due by now: they are all dropped at once, counted rather than walked, so
          // a rate far beyond what the VUs can start (1e12/s) costs one step; then sleep until a VU frees up.
          dropDue();
          addVuInBackground();
          if (k >= schedule.total) return finish();
          waiting = true;
          timer = setTimeout(tick, Math.min(NO_VU_WAIT_MS, Math.max(0, end - performance.now())));
          return;
        }
        if (now > budgetEnd) {
          // Over budget: let the event loop read responses first, then go on with what is due (see TICK_BUDGET_MS).
          setImmediate(tick);
          return;
        }
        env.stats.scheduled++;
        start(idle.pop()!, schedule.indexOf(startedHere++), t0 + schedule.at(k));
        k++;
      }
      if (k >= schedule.total) return finish();
      const delay = t0 + schedule.at(k) - performance.now();
      // Far away: sleep on a timer (woken early); close: poll once per event-loop turn so I/O keeps flowing.
      if (delay > TIMER_SLACK_MS * 2) timer = setTimeout(tick, delay - TIMER_SLACK_MS);
      else setImmediate(tick);
    };
    tick();
  });
  // Nothing new starts after the duration; wait for it to pass when the schedule ended early.
  const rest = end - performance.now();
  if (rest > 0 && !stop.aborted) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, rest);
      function done(): void { clearTimeout(t); stop.removeEventListener('abort', done); resolve(); }
      stop.addEventListener('abort', done, { once: true });
    });
  }
  await finishGracefully([...running], owned, schedule.gracefulStopMs, stop);
  giveBack(env, owned);
}
