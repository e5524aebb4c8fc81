/**
 * How much memory a test's VUs can take, estimated before any is created, so that a VU count that cannot fit is
 * refused with its estimate (exit 104) instead of filling the machine: the most VUs the scenarios can hold at once
 * (an arrival-rate scenario at its maxVUs, which it may reach) times the measured bytes of one VU.
 */
import type { ScenarioConfig } from '../spec.ts';
import { plannedWindow } from './run.ts';
import { createExecutionTuple, type ExecutionTuple } from './segments.ts';

/**
 * The most VUs the scenarios can hold at the same time in an execution segment: planned VUs, with arrival-rate
 * scenarios counted at maxVUs.
 * @param scenarios the scenarios to run
 * @param tuple the execution segment (default: the whole test)
 * @returns the peak VU count
 */
export function peakVus(scenarios: Record<string, ScenarioConfig>, tuple: ExecutionTuple = createExecutionTuple()): number {
  const windows = Object.values(scenarios).map((c) => {
    const w = plannedWindow(c, tuple);
    const most = c.executor === 'constant-arrival-rate' || c.executor === 'ramping-arrival-rate' ? Math.max(w.vus, tuple.scale(c.maxVUs ?? 0)) : w.vus;
    return { ...w, vus: most };
  });
  let peak = 0;
  for (const w of windows) {
    peak = Math.max(peak, windows.reduce((t, x) => t + (x.start <= w.start && w.start < x.end ? x.vus : 0), 0));
  }
  return peak;
}

/** A test's VU memory against what the machine can give it. */
export interface VuMemoryEstimate {
  /** Most VUs at once. */
  vus: number;
  /** Estimated bytes: vus x bytes per VU. */
  bytes: number;
  /** The budget, bytes. */
  budgetBytes: number;
  /** Whether it fits. */
  fits: boolean;
}

/**
 * Estimates the memory the VUs of a test take and compares it with a budget.
 * @param scenarios the scenarios to run
 * @param bytesPerVu measured bytes of one VU with its connection (data/defaults.json run.vuMemory.bytesPerVu)
 * @param budgetBytes memory the VUs may take, bytes
 * @param tuple the execution segment this instance runs (default: the whole test)
 * @returns the estimate
 * @throws {RangeError} when bytesPerVu or budgetBytes is not a positive number
 */
export function estimateVuMemory(scenarios: Record<string, ScenarioConfig>, bytesPerVu: number, budgetBytes: number, tuple?: ExecutionTuple): VuMemoryEstimate {
  if (!(bytesPerVu > 0)) throw new RangeError(`estimateVuMemory: bytesPerVu ${bytesPerVu} is not a positive number`);
  if (!(budgetBytes > 0)) throw new RangeError(`estimateVuMemory: budgetBytes ${budgetBytes} is not a positive number`);
  const vus = peakVus(scenarios, tuple);
  const bytes = vus * bytesPerVu;
  return { vus, bytes, budgetBytes, fits: bytes <= budgetBytes };
}
