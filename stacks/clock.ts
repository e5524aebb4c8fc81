/**
 * Waiting to an hrtime deadline with timers. Node timers have about 1 ms granularity and run against the event
 * loop's cached clock, so a single setTimeout may fire early or late by a millisecond or more; re-arming against an
 * absolute monotonic deadline keeps the error below ~1 ms per wait and stops errors from accumulating. No spinning:
 * the emulated node's time must not cost this machine's CPU.
 */

/**
 * Monotonic now.
 * @returns nanoseconds (bigint) from process.hrtime
 */
export function nowNs(): bigint {
  return process.hrtime.bigint();
}

/**
 * Resolves at (or within 1 ms of) a monotonic deadline.
 * @param deadlineNs deadline as returned by {@link nowNs} plus a delay
 * @returns a promise resolved when the deadline is reached
 */
export function sleepUntil(deadlineNs: bigint): Promise<void> {
  return new Promise((resolve) => {
    const tick = (): void => {
      const leftMs = Number(deadlineNs - process.hrtime.bigint()) / 1e6;
      // Within 1 ms a re-armed timer would overshoot by more than it corrects.
      if (leftMs < 1) resolve();
      else setTimeout(tick, Math.floor(leftMs));
    };
    tick();
  });
}

/**
 * Waits a number of milliseconds against a monotonic deadline.
 * @param ms milliseconds (<= 0 resolves on the next tick)
 * @returns a promise resolved after about `ms`
 */
export function sleepMs(ms: number): Promise<void> {
  if (!(ms > 0)) return Promise.resolve();
  return sleepUntil(nowNs() + BigInt(Math.round(ms * 1e6)));
}
