import { describe, expect, it } from 'vitest';
import { measuredConnectionCapacity, type ConnectionStep } from '../../../models/capacity/connection-capacity.ts';
import { ValidationError } from '../../../models/errors.ts';

/** A step that passes at a 200 ms budget unless overridden. */
function step(level: number, over: Partial<ConnectionStep> = {}): ConnectionStep {
  return { level, handshakes: level, refused: 0, replies: level * 10, replyP95Ms: 40, checks: level * 11, checksFailed: 0, ...over };
}

const OPTS = { budgetP95Ms: 200, scale: 0.001 };

describe('measuredConnectionCapacity', () => {
  it('brackets the limit between the last step that held every session and the first that refused', () => {
    const steps = [step(200, { refused: 30 }), step(100), step(150), step(160, { refused: 2 }), step(140)];
    const c = measuredConnectionCapacity(steps, OPTS);
    expect(c.interval).toEqual({ lower: 150, upper: 160 });
    expect(c.binds).toBe('refused');
    // 150 sessions on a node holding 1/1000 of a real node's: 150 / 0.001 = 150 000.
    expect(c.perNode).toBe(150_000);
    expect(c.perNodeInterval).toEqual({ lower: 150_000, upper: 160_000 });
    expect(c).toMatchObject({ scale: 0.001, budgetP95Ms: 200 });
    expect(c.steps.map((s) => [s.level, s.passed, s.why])).toEqual([
      [100, true, undefined], [140, true, undefined], [150, true, undefined], [160, false, 'refused'], [200, false, 'refused'],
    ]);
    expect(c.steps[0]).toEqual({ level: 100, passed: true, refused: 0, replies: 1000, replyP95Ms: 40 });
  });

  it('binds on latency when echoes come back over budget while every session opened', () => {
    const c = measuredConnectionCapacity([step(10), step(20, { replyP95Ms: 200 }), step(30, { replyP95Ms: 200.5 })], OPTS);
    // 200 ms is within a 200 ms budget; 200.5 is not.
    expect(c.interval).toEqual({ lower: 20, upper: 30 });
    expect(c.binds).toBe('latency');
    expect(c.steps[2]).toMatchObject({ passed: false, why: 'latency', replyP95Ms: 200.5 });
  });

  it('fails closed: no replies, fewer handshakes than sessions, or more than 1% of checks failed', () => {
    const c = measuredConnectionCapacity([
      step(10, { checks: 300, checksFailed: 3 }), // exactly 1%: passes
      step(20, { replies: 0, replyP95Ms: null }),
      step(30, { handshakes: 0 }),
      step(40, { checks: 300, checksFailed: 4 }),
    ], OPTS);
    expect(c.interval).toEqual({ lower: 10, upper: 20 });
    expect(c.binds).toBe('failures');
    expect(c.steps.map((s) => s.why)).toEqual([undefined, 'failures', 'unmeasured', 'failures']);
  });

  it('leaves out steps whose generator opened fewer sessions than they hold: they neither pass nor bound the node', () => {
    // A generator that runs its VUs one after another (k6's test stand-in) opens a session or two per step.
    const serial = measuredConnectionCapacity([step(75, { handshakes: 2 }), step(150, { handshakes: 1 }), step(225, { handshakes: 2 })], OPTS);
    expect(serial.interval).toEqual({ lower: 0, upper: null });
    expect(serial.steps.every((s) => !s.passed && s.why === 'unmeasured')).toBe(true);
    // One that falls behind above 150 leaves 150 passing and the limit not found, rather than a limit at 160.
    const behind = measuredConnectionCapacity([step(100), step(150), step(160, { handshakes: 158, refused: 0 }), step(200, { handshakes: 120 })], OPTS);
    expect(behind.interval).toEqual({ lower: 150, upper: null });
    expect(behind.binds).toBe('not reached');
  });

  it('gives lower 0 when no step passed', () => {
    const c = measuredConnectionCapacity([step(5, { replies: 0, replyP95Ms: null })], { budgetP95Ms: 100, scale: 1 });
    expect(c.interval).toEqual({ lower: 0, upper: 5 });
    expect(c).toMatchObject({ binds: 'failures', perNode: 0, perNodeInterval: { lower: 0, upper: 5 } });
  });

  it('says not reached when every step above the highest pass passed too', () => {
    // A failing step below a passing one does not lower the capacity (as sloInterval).
    const c = measuredConnectionCapacity([step(3, { refused: 1 }), step(5), step(7)], { budgetP95Ms: 200, scale: 0.07 });
    expect(c.interval).toEqual({ lower: 7, upper: null });
    expect(c.binds).toBe('not reached');
    // 7 / 0.07 is 99.99999999999999 in binary; it means 100, not 99.
    expect(c.perNode).toBe(100);
    expect(c.perNodeInterval).toEqual({ lower: 100, upper: null });
  });

  it('lists every problem at once', () => {
    const bad = [step(10), step(0), step(2.5, { handshakes: 2, checks: 27 }), step(10), step(20, { refused: 21, replyP95Ms: Number.NaN })];
    const err = (() => {
      try {
        measuredConnectionCapacity(bad, { budgetP95Ms: 0, scale: 1.5 });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).problems.map((p) => p.where)).toEqual([
      'steps[1].level', 'steps[2].level', 'steps[3].level', 'steps[4].refused', 'steps[4].replyP95Ms', 'opts.scale', 'opts.budgetP95Ms',
    ]);
    expect((err as ValidationError).problems[2]!.message).toContain('steps[0]');

    const none = (() => {
      try {
        measuredConnectionCapacity([], { budgetP95Ms: Number.POSITIVE_INFINITY, scale: 0 });
      } catch (e) {
        return e as ValidationError;
      }
      return undefined;
    })();
    expect(none?.problems.map((p) => p.where)).toEqual(['steps', 'opts.scale', 'opts.budgetP95Ms']);
  });
});
