/**
 * The virtual-time CPU: first come, first served on c cores, waits computed from the model's schedule, and a late
 * timer delaying only its own job.
 */
import { describe, expect, it } from 'vitest';
import { createCpuQueue } from '../../stacks/cpu-queue.ts';

describe('createCpuQueue', () => {
  it('serves jobs first come, first served on c cores: the third and fourth wait for the first two', async () => {
    const cpu = createCpuQueue(2);
    const t0 = performance.now();
    const done: number[] = [];
    const jobs = [30, 30, 30, 30].map((ms, i) => cpu.run(ms).then((j) => {
      done.push(i);
      return j;
    }));
    expect(cpu.stats().inSystem).toBe(4);
    const results = await Promise.all(jobs);
    const elapsed = performance.now() - t0;
    // Waits are measured from each job's own arrival; the four arrive within microseconds unless this (busy) host
    // preempts the loop that submits them, hence 3 ms of room.
    results.forEach((r, i) => expect(Math.abs(r.waitMs - (i < 2 ? 0 : 30)), `job ${i}: wait ${r.waitMs} ms`).toBeLessThan(3));
    expect(done.slice(0, 2).sort()).toEqual([0, 1]);
    // Two rounds of 30 ms, at most 1 ms early per timer (clock.ts); no upper bound on this host's lateness.
    expect(elapsed).toBeGreaterThanOrEqual(59);
    expect(cpu.stats()).toMatchObject({ cores: 2, inSystem: 0, done: 4, busyMs: 120 });
  });

  it('keeps the model\'s schedule when the host stalls: a late timer delays its own answer, not the next job\'s start', async () => {
    const cpu = createCpuQueue(1);
    const a = cpu.run(10);
    // Block the event loop for 50 ms: job A's timer cannot fire before the block ends.
    const until = performance.now() + 50;
    while (performance.now() < until) { /* stall */ }
    const b = cpu.run(10);
    const [ja, jb] = await Promise.all([a, b]);
    expect(ja.lateMs).toBeGreaterThan(30);
    // The core was free (in the model) since t = 10 ms, so B waits for nothing.
    expect(jb.waitMs).toBe(0);
  });

  it('rejects bad costs and core counts', async () => {
    expect(() => createCpuQueue(0)).toThrow(RangeError);
    expect(() => createCpuQueue(1.5)).toThrow(/cores/);
    await expect(createCpuQueue(1).run(-1)).rejects.toThrow(RangeError);
    await expect(createCpuQueue(1).run(Number.NaN)).rejects.toThrow(/cost/);
  });
});
