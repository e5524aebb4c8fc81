/**
 * Measured connection capacity of one push-service node, from a connection probe: steps of N virtual users each
 * holding one WebSocket session (with heartbeats) and echoing messages. A step passes when every handshake opened a
 * session, echoes came back within the p95 budget and almost no check failed; the capacity lies between the highest
 * passing step and the lowest failing step above it, as sloInterval does for request rates (measured.ts). A step whose
 * load generator made fewer handshakes than it holds sessions measured nothing (`unmeasured`): it neither passes nor
 * bounds the node (a generator that runs its VUs one after another, say, never held the step). The probe
 * runs a node scaled down (a node with connectionScale 0.001 holds 1/1000 of the sessions), so the real node's
 * figure is the measured one divided by the scale.
 */
import { ValidationError, type Problem } from '../errors.ts';

/** One connection-probe step, as the capacity needs it (reports/ingest/connection-steps.ts measures these). */
export interface ConnectionStep {
  /** Sessions held in the step (virtual users, one session each); a positive integer. */
  level: number;
  /** Handshake attempts over the whole step. */
  handshakes: number;
  /** Handshakes that did not open a session. */
  refused: number;
  /** Echo replies received in the step's window after warm-up. */
  replies: number;
  /** Echo reply time p95 in the window, ms; null when no reply came. */
  replyP95Ms: number | null;
  /** Checks evaluated in the window. */
  checks: number;
  /** Checks failed in the window. */
  checksFailed: number;
}

/** Why a step failed: sessions refused, echoes over the p95 budget, or failed checks / no evidence at all. */
export type ConnectionFailure = 'refused' | 'latency' | 'failures';

/** The verdict on one step. */
export interface ConnectionStepVerdict {
  /** Sessions held in the step. */
  level: number;
  /** Whether the step met every condition. */
  passed: boolean;
  /** Handshakes that did not open a session. */
  refused: number;
  /** Echo replies received in the window. */
  replies: number;
  /** Echo reply p95, ms; null when no reply came. */
  replyP95Ms: number | null;
  /**
   * Why it failed (absent when it passed): `unmeasured` when the generator made fewer handshakes than the step's
   * sessions (the step is left out of the interval), else the first of refused, latency, failures that applies.
   */
  why?: ConnectionFailure | 'unmeasured';
}

/** Where a capacity in sessions lies, as far as the steps tell. */
export interface SessionInterval {
  /** Highest level that passed, sessions (0 when none did). */
  lower: number;
  /** Lowest level above `lower` that failed, sessions; null when none above failed (the limit was not reached). */
  upper: number | null;
}

/** Measured connection capacity. */
export interface ConnectionCapacity {
  /** The interval in sessions as measured on the scaled-down node. */
  interval: SessionInterval;
  /** Why the step at `interval.upper` failed; `'not reached'` when no step above `lower` failed. */
  binds: ConnectionFailure | 'not reached';
  /** Sessions one real node holds: floor(interval.lower / scale). */
  perNode: number;
  /** The interval for one real node: each end divided by the scale, floored. */
  perNodeInterval: SessionInterval;
  /** The probed node's connection scale, as given (0 < scale <= 1). */
  scale: number;
  /** Echo reply p95 budget, ms, as given. */
  budgetP95Ms: number;
  /** Every step's verdict, ascending by level. */
  steps: ConnectionStepVerdict[];
}

/** Largest failed share of checks a step may have and still pass, percent (measured.ts's MAX_ERROR_RATE, 0.01). */
const MAX_FAILED_PERCENT = 1;

/**
 * Measured connection capacity of a node from its connection-probe steps.
 * @param steps the probe's steps (any order)
 * @param opts `budgetP95Ms`: echo reply p95 budget, ms; `scale`: the probed node's connection scale, in (0, 1]
 * @returns the interval in sessions, what binds, and the figures for one real node
 * @throws {ValidationError} listing every problem at once: no steps, a level that is not a positive integer, a level
 *   given twice, counts that are not non-negative integers or that contradict each other, a reply p95 that is not a
 *   non-negative number, a scale outside (0, 1], a budget that is not a positive finite number
 * @example
 * measuredConnectionCapacity([
 *   { level: 100, handshakes: 100, refused: 0, replies: 900, replyP95Ms: 40, checks: 1000, checksFailed: 0 },
 *   { level: 200, handshakes: 200, refused: 12, replies: 1700, replyP95Ms: 45, checks: 1900, checksFailed: 0 },
 * ], { budgetP95Ms: 200, scale: 0.001 })
 * // interval {lower: 100, upper: 200}, binds 'refused', perNode 100000
 */
export function measuredConnectionCapacity(
  steps: readonly ConnectionStep[],
  opts: { budgetP95Ms: number; scale: number },
): ConnectionCapacity {
  const problems = validate(steps, opts);
  if (problems.length > 0) throw new ValidationError('measuredConnectionCapacity: the connection probe cannot be used', problems);
  const { budgetP95Ms, scale } = opts;
  const verdicts = [...steps].sort((x, y) => x.level - y.level).map((s): ConnectionStepVerdict => {
    const why = failure(s, budgetP95Ms);
    return { level: s.level, passed: why === undefined, refused: s.refused, replies: s.replies, replyP95Ms: s.replyP95Ms, ...(why ? { why } : {}) };
  });
  // As sloInterval: a failing step below the highest passing one does not lower it (the steps measure only
  // their own levels; a passing step above shows the node held that many).
  const lower = Math.max(0, ...verdicts.filter((v) => v.passed).map((v) => v.level));
  const firstFailing = verdicts.find((v) => !v.passed && v.why !== 'unmeasured' && v.level > lower);
  const upper = firstFailing ? firstFailing.level : null;
  return {
    interval: { lower, upper },
    binds: (firstFailing?.why as ConnectionFailure | undefined) ?? 'not reached',
    perNode: perRealNode(lower, scale),
    perNodeInterval: { lower: perRealNode(lower, scale), upper: upper === null ? null : perRealNode(upper, scale) },
    scale,
    budgetP95Ms,
    steps: verdicts,
  };
}

/** Why a step fails, or undefined when it passes. */
function failure(s: ConnectionStep, budgetP95Ms: number): ConnectionFailure | 'unmeasured' | undefined {
  if (s.handshakes < s.level) return 'unmeasured';
  if (s.refused > 0) return 'refused';
  if (s.replyP95Ms !== null && s.replyP95Ms > budgetP95Ms) return 'latency';
  // No handshakes or no replies is no evidence the node held the sessions: it fails closed.
  if (s.handshakes === 0 || s.replies === 0 || s.replyP95Ms === null) return 'failures';
  // In percent, not as a share: 0.01 * checks is not exact in binary, and 3 failed of 300 must pass.
  if (s.checksFailed * 100 > s.checks * MAX_FAILED_PERCENT) return 'failures';
  return undefined;
}

/**
 * Sessions on one real node for `level` sessions on a node scaled by `scale`, floored. Decimal scales are not exact
 * in binary (level / scale may land a hair below an integer), so a quotient within 1e-9 of an integer counts as it.
 */
function perRealNode(level: number, scale: number): number {
  const q = level / scale;
  const r = Math.round(q);
  return Math.abs(q - r) <= 1e-9 * Math.max(1, q) ? r : Math.floor(q);
}

function validate(steps: readonly ConnectionStep[], opts: { budgetP95Ms: number; scale: number }): Problem[] {
  const problems: Problem[] = [];
  if (steps.length === 0) problems.push({ where: 'steps', message: 'no steps: a connection probe needs at least one' });
  const seen = new Map<number, number>();
  steps.forEach((s, i) => {
    const where = `steps[${i}]`;
    if (!Number.isInteger(s.level) || s.level <= 0) {
      problems.push({ where: `${where}.level`, message: `level ${s.level} is not a positive integer number of sessions` });
    } else {
      const before = seen.get(s.level);
      if (before !== undefined) problems.push({ where: `${where}.level`, message: `level ${s.level} is also steps[${before}]'s: each level once` });
      else seen.set(s.level, i);
    }
    for (const key of ['handshakes', 'refused', 'replies', 'checks', 'checksFailed'] as const) {
      if (!Number.isInteger(s[key]) || s[key] < 0) problems.push({ where: `${where}.${key}`, message: `${key} ${s[key]} is not a non-negative integer` });
    }
    if (s.refused > s.handshakes) problems.push({ where: `${where}.refused`, message: `refused ${s.refused} is more than the ${s.handshakes} handshakes` });
    if (s.checksFailed > s.checks) problems.push({ where: `${where}.checksFailed`, message: `checksFailed ${s.checksFailed} is more than the ${s.checks} checks` });
    if (s.replyP95Ms !== null && (!Number.isFinite(s.replyP95Ms) || s.replyP95Ms < 0)) {
      problems.push({ where: `${where}.replyP95Ms`, message: `replyP95Ms ${s.replyP95Ms} is not null or a non-negative number of ms` });
    }
  });
  if (!Number.isFinite(opts.scale) || opts.scale <= 0 || opts.scale > 1) {
    problems.push({ where: 'opts.scale', message: `scale ${opts.scale} is not in (0, 1]: the probed node holds that share of a real node's sessions` });
  }
  if (!Number.isFinite(opts.budgetP95Ms) || opts.budgetP95Ms <= 0) {
    problems.push({ where: 'opts.budgetP95Ms', message: `budget ${opts.budgetP95Ms} ms is not a positive finite number` });
  }
  return problems;
}
