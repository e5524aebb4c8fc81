/**
 * The fleet check in words, for the first screen of both reports: whether the model, run for today's fleet's as-of
 * period, agrees with what that fleet serves at its stated peak (models/capacity/fleet-check.ts). Pure.
 */
import type { FleetCheck } from '../../models/types.ts';
import { int, num, pct } from './format.ts';

/** The check as a sentence and whether it holds (undefined: not made). */
export interface FleetCheckText {
  text: string;
  ok: boolean | undefined;
}

/**
 * Says what the fleet check found.
 * @param c the plan's fleet check
 * @returns the sentence (plain text, no markup) and whether the model and the fleet agree
 * @example fleetCheckText(plan.fleetCheck!).text // "Today's fleet, 420 nodes as of 2014Q4, ... they agree."
 */
export function fleetCheckText(c: FleetCheck): FleetCheckText {
  const fleet = `Today's fleet, ${int(c.nodes)} nodes as of ${c.asOf}`;
  if (c.status === 'unavailable') return { text: `${fleet}: not checked against the model (${c.reason}).`, ok: undefined };
  const m = c.modelPeakRps;
  const serves = c.basis === 'peakRps' ? `serves a measured peak of ${int(c.fleetPeakRps)} req/s`
    : `serves ${int(c.fleetPeakRps)} req/s at its stated ${pct(c.peakUtilization!)} peak utilization`;
  const model = `the model's ${c.asOf} peak is ${int(m.p50)} req/s (p10 ${int(m.p10)}, p90 ${int(m.p90)})`;
  const load = c.impliedUtilization
    ? ` On today's fleet that peak is ${pct(c.impliedUtilization.p50)} utilization (p10 ${pct(c.impliedUtilization.p10)}, p90 ${pct(c.impliedUtilization.p90)}).` : '';
  if (c.calibration) {
    const b = c.calibration.before;
    const was = b.status === 'checked' ? `${int(b.modelPeakRps.p50)} req/s (p10 ${int(b.modelPeakRps.p10)}, p90 ${int(b.modelPeakRps.p90)})` : 'unknown';
    return {
      text: `${fleet}, ${serves}. Demand scaled x${num(c.calibration.factor, 2)} (calibrate: fleet) so that the model's ${c.asOf} peak is what the fleet serves; ` +
        `the model alone gave ${was}.${load}`,
      ok: true,
    };
  }
  if (c.verdict === 'agrees') return { text: `${fleet}, ${serves}; ${model}: they agree.${load}`, ok: true };
  const side = c.verdict === 'model-higher'
    ? `the model asks for ${num(c.factor, 1)}x what the fleet serves, beyond its own p10-p90 interval`
    : `the model asks for ${num(c.factor, 1)}x what the fleet serves (${num(1 / c.factor, 1)}x less), beyond its own p10-p90 interval`;
  return { text: `${fleet}, ${serves}; ${model}: ${side}. The demand per device or the fleet's figures are off: check them before buying on this plan.${load}`, ok: false };
}
