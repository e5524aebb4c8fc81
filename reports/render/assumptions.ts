/**
 * The assumptions section of the report's view model: what each modeled figure rests on, with its kind. Pure.
 */
import type { ReportInput, ReportModel } from './model-types.ts';

/**
 * The assumptions behind the report's figures, each tagged modeled, measured or input: the growth model and its
 * uncertainty, survival, history; demand per device, peak factor, flash sales; planner settings and per-DC capacity.
 * @param input the report's inputs
 * @returns rows in that order (empty without forecast, traffic and plan)
 */
export function assumptionsOf(input: Pick<ReportInput, 'forecast' | 'traffic' | 'plan'>): ReportModel['assumptions'] {
  const out: ReportModel['assumptions'] = [];
  const f = input.forecast;
  if (f) {
    out.push({ name: 'growth model', value: `${f.model.model} (${f.model.selection}); r2 ${f.model.fit.r2.toFixed(3)}`, kind: 'modeled' });
    out.push({ name: 'forecast uncertainty', value: `${f.uncertainty.method}, ${f.uncertainty.draws} draws, seed ${f.seed}`, kind: 'modeled' });
    out.push({ name: 'device survival', value: `${f.assumptions.survival.distribution}, median ${f.assumptions.survival.medianYears} years`, kind: 'input' });
    out.push({ name: 'history', value: `${f.history.periods.length} periods from ${f.history.source}`, kind: 'measured' });
  }
  const t = input.traffic;
  if (t) {
    // Calibrated rates rest on telemetry (measured); the rest are the modeled inputs of data/.
    const calibrated = (s: string): boolean => t.demandSources?.[s]?.source.startsWith('calibrated from ') ?? false;
    const list = (keep: (s: string) => boolean): string => Object.entries(t.demand).filter(([k]) => keep(k)).map(([k, v]) => `${k} ${v}`).join(', ');
    if (list((s) => !calibrated(s))) out.push({ name: 'requests per device per day', value: list((s) => !calibrated(s)), kind: 'input' });
    if (list(calibrated)) out.push({ name: 'requests per device per day, calibrated from telemetry', value: list(calibrated), kind: 'measured' });
    out.push({ name: 'weekly peak factor', value: String(t.shape.weeklyPeakFactor), kind: 'input' });
    out.push({ name: 'flash sales', value: t.flashSales.map((s) => `${s.name} (${s.countries.join('/')}, ${s.localHour}:00 local)`).join('; ') || 'none', kind: 'input' });
  }
  const p = input.plan;
  if (p) {
    const s = p.settings;
    out.push({ name: 'planner', value: `target utilization ${s.targetUtilization}, N+${s.redundancy}, ${s.draws} draws, capacity cv ${s.capacityCv}, queue wait target ${s.queueWaitTargetMs} ms, seed ${p.seed}`, kind: 'input' });
    for (const [dc, d] of Object.entries(p.dcs)) {
      const inputs = Object.entries(d.capacity.inputs).map(([k, v]) => `${k} ${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`).join(', ');
      out.push({ name: `capacity ${dc}`, value: `${Math.round(d.capacity.perNodeRps)} rps/node (${d.capacity.binds} binds)${inputs ? `; ${inputs}` : ''}`, kind: d.capacity.source });
    }
  }
  return out;
}
