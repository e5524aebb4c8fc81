/**
 * A CPU of c cores in virtual time: jobs are served first come, first served by c identical servers, each job for
 * its given cost. When a job arrives its start is computed at once from when each core frees up (the Kiefer-Wolfowitz
 * workload recursion of the FCFS G/G/c queue: the job takes the core that frees first, start = max(arrival, that
 * core's free time)), and the job then just waits on a timer until start + cost. Nothing computes, and a late timer
 * delays only its own job's answer, never the schedule of later jobs: the queue is the model's, not this host's.
 */
import { nowNs, sleepUntil } from './clock.ts';

/** How one job went. */
export interface CpuJob {
  /** Modeled wait for a free core, ms. */
  waitMs: number;
  /** Modeled cost, ms. */
  costMs: number;
  /** How much later than modeled the timer fired, ms (negative: up to 1 ms early; see clock.ts). */
  lateMs: number;
}

/** Counters and gauges of a CPU queue. */
export interface CpuQueueStats {
  /** Cores c. */
  cores: number;
  /** Jobs waiting or in service now. */
  inSystem: number;
  /** Jobs done since start. */
  done: number;
  /** Modeled CPU time of the jobs done, ms. */
  busyMs: number;
  /** Summed lateness of the jobs' timers, ms: large against busyMs means this host, not the model, shaped latency. */
  lateMs: number;
}

/** A virtual-time CPU. */
export interface CpuQueue {
  /**
   * Queues a job and resolves when the model says it is done.
   * @param costMs the job's CPU time, ms (>= 0)
   * @returns its wait, cost and timer lateness
   * @throws {RangeError} (as a rejection) when costMs is negative or not finite
   */
  run(costMs: number): Promise<CpuJob>;
  /** Current counters. */
  stats(): CpuQueueStats;
}

/**
 * Creates a CPU of `cores` cores, all idle.
 * @param cores number of cores (a positive integer)
 * @returns the queue
 * @throws {RangeError} when cores is not a positive safe integer
 * @example const cpu = createCpuQueue(2); await cpu.run(10) // { waitMs: 0, costMs: 10, lateMs: ~0 } on an idle CPU
 */
export function createCpuQueue(cores: number): CpuQueue {
  if (!Number.isSafeInteger(cores) || cores < 1) throw new RangeError(`createCpuQueue: cores must be a positive integer, got ${cores}`);
  const freeAt: bigint[] = Array.from({ length: cores }, () => 0n);
  let inSystem = 0;
  let done = 0;
  let busyMs = 0;
  let lateMs = 0;
  return {
    async run(costMs) {
      if (!(costMs >= 0) || !Number.isFinite(costMs)) throw new RangeError(`CpuQueue.run: cost ${costMs} ms is not a finite number >= 0`);
      const now = nowNs();
      let core = 0;
      for (let k = 1; k < cores; k++) if (freeAt[k]! < freeAt[core]!) core = k;
      const start = freeAt[core]! > now ? freeAt[core]! : now;
      const end = start + BigInt(Math.round(costMs * 1e6));
      freeAt[core] = end;
      inSystem++;
      await sleepUntil(end);
      inSystem--;
      const late = Number(nowNs() - end) / 1e6;
      done++;
      busyMs += costMs;
      lateMs += late;
      return { waitMs: Number(start - now) / 1e6, costMs, lateMs: late };
    },
    stats: () => ({ cores, inSystem, done, busyMs, lateMs }),
  };
}
