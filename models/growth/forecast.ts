/**
 * The growth forecast: choose and fit a model, sample its uncertainty, and turn every draw into quarterly
 * shipments, active devices (through device survival) and their split by country and region; then summarise the
 * draws as p10/p50/p90 bands and milestones. Pure: same inputs and seed -> same output.
 */
import { quantileSorted } from 'simple-statistics';
import { ValidationError } from '../errors.ts';
import { quarterIndex, quarterLabel, quarterOf } from '../quarter.ts';
import { createRng } from '../random.ts';
import type { Band, Forecast, ForecastCandidate, ForecastPriors, ForecastQuarter } from '../types.ts';
import type { AnaloguePrior } from './analogue-prior.ts';
import { salesShares } from './countries.ts';
import type { History } from './history.ts';
import type { GrowthModelName } from './model.ts';
import { drawParameters, yearShock } from './montecarlo.ts';
import { quarterlyShipments } from './seasonality.ts';
import { type Candidate, selectModel } from './select.ts';
import type { GrowthSettings, Regions } from './settings.ts';
import { survivalByLag } from './survival.ts';

/** Inputs of {@link buildForecast}. */
export interface ForecastInput {
  /** Validated shipment history. */
  history: History;
  /** data/growth.json. */
  settings: GrowthSettings;
  /** the world's countries (data/world.json). */
  regions: Regions;
  /** Model to use, or `auto` (AICc). */
  model: GrowthModelName | 'auto';
  /** Yearly shipments target (phones); also the active-base threshold reported. */
  target: number;
  /** Calendar year the target is set for. */
  targetYear: number;
  /** Last quarter, e.g. `2017Q4`. */
  horizon: string;
  /** Monte Carlo draws. */
  draws: number;
  /** Seed. */
  seed: number;
  /** Prior on Bass p and q from analogue products (`--analogues`): the Bass candidate is then fitted MAP with it. */
  analogues?: AnaloguePrior;
}

/**
 * Builds forecast.json's content.
 * @param input history, settings, target, horizon, draws, seed
 * @returns the forecast
 * @throws {ValidationError} when the horizon does not lie after the history
 */
export function buildForecast(input: ForecastInput): Forecast {
  const { history, settings, regions } = input;
  const obs = history.observations;
  const firstQ = quarterOf(obs[0]!.period.start);
  const lastObsQ = quarterOf(obs[obs.length - 1]!.period.end - 1e-6);
  const lastQ = quarterIndex(input.horizon);
  if (lastQ <= lastObsQ) {
    throw new ValidationError('forecast horizon is invalid', [
      { where: '--horizon', message: `${input.horizon} must come after the last observed quarter ${quarterLabel(lastObsQ)}` },
    ]);
  }
  const nq = lastQ - firstQ + 1;
  const prior = settings.marketPotentialPrior;
  const selection = selectModel(history, input.model, settings.marketPotentialPrior.median, settings.fit.maxLnMarketSd, input.analogues);
  const cand = selection.chosen;
  const rng = createRng(input.seed, 'forecast');
  const draws = drawParameters(cand, history, settings.marketPotentialPrior, settings.fit.bootstrapMinPoints, input.draws, rng);
  const survival = survivalByLag(nq, settings.survival.medianYears, settings.survival.shape);
  const countries = regions.countries;
  const shares = Array.from({ length: nq }, (_, i) => salesShares(countries, regions.baseYear, (firstQ + i + 0.5) / 4));
  const yearNoiseSd = settings.monteCarlo.yearNoise ? cand.fit.residualSd : 0;

  const ship = Array.from({ length: nq }, () => new Float64Array(input.draws));
  const trailing = Array.from({ length: nq }, () => new Float64Array(input.draws));
  const active = Array.from({ length: nq }, () => new Float64Array(input.draws));
  const activeC = countries.map(() => Array.from({ length: nq }, () => new Float64Array(input.draws)));
  const regionNames = Object.keys(regions.regions);
  const activeR = regionNames.map(() => Array.from({ length: nq }, () => new Float64Array(input.draws)));
  const regionOf = countries.map((c) => regionNames.indexOf(c.region));

  for (let d = 0; d < input.draws; d++) {
    const params = cand.model.fromInternal(draws.thetas[d]!);
    const q = quarterlyShipments((t) => cand.model.cumulative(params, t), firstQ, nq, settings.seasonality.quarterWeights);
    if (yearNoiseSd > 0) {
      const shocks = new Map<number, number>();
      for (let i = 0; i < nq; i++) {
        const y = Math.floor((firstQ + i) / 4);
        if (!shocks.has(y)) shocks.set(y, yearShock(rng, yearNoiseSd, cand.fit.dof));
        q[i] = q[i]! * shocks.get(y)!;
      }
    }
    for (let i = 0; i < nq; i++) {
      ship[i]![d] = q[i]!;
      let t = 0;
      for (let j = Math.max(0, i - 3); j <= i; j++) t += q[j]!;
      trailing[i]![d] = t;
    }
    for (let c = 0; c < countries.length; c++) {
      for (let i = 0; i < nq; i++) {
        let a = 0;
        for (let j = 0; j <= i; j++) a += q[j]! * shares[j]![c]! * survival[i - j]!;
        activeC[c]![i]![d] = a;
        // Each cell [i][d] is written only by draw d and starts at 0, so the sums accumulate across countries.
        active[i]![d] = active[i]![d]! + a;
        const ar = activeR[regionOf[c]!]![i]!;
        ar[d] = ar[d]! + a;
      }
    }
  }

  const quarters: ForecastQuarter[] = [];
  for (let i = 0; i < nq; i++) {
    const byRegion: Record<string, Band> = {};
    regionNames.forEach((r, ri) => (byRegion[r] = band(activeR[ri]![i]!)));
    const byCountry: Record<string, Band> = {};
    countries.forEach((c, ci) => (byCountry[c.code] = band(activeC[ci]![i]!)));
    quarters.push({
      quarter: quarterLabel(firstQ + i),
      kind: firstQ + i <= lastObsQ ? 'history' : 'forecast',
      shipments: band(ship[i]!),
      trailingYearShipments: band(trailing[i]!),
      activeDevices: band(active[i]!),
      byRegion,
      byCountry,
      pTargetReached: round4(fraction(trailing[i]!, (v) => v >= input.target)),
    });
  }

  const pByYear: Record<string, number> = {};
  for (let i = 0; i < nq; i++) {
    if ((firstQ + i) % 4 === 3 && i >= 3) pByYear[String(Math.floor((firstQ + i) / 4))] = quarters[i]!.pTargetReached;
  }
  const reached = quarters.find((q) => q.pTargetReached >= 0.5);
  const crossing = (key: keyof Band): string | null => quarters.find((q) => q.activeDevices[key] >= input.target)?.quarter ?? null;
  return {
    schema: 'caplab.forecast/v1',
    seed: input.seed,
    history: {
      source: history.source,
      launch: history.launch,
      periods: obs.map((o) => ({ period: o.period.label, shipments: o.shipments })),
    },
    model: { ...describe(cand), selection: selection.method },
    candidates: selection.candidates.map(describe),
    priors: {
      marketPotential: {
        median: Math.round(prior.median),
        p90: Math.round(prior.p90),
        sdLn: round6(prior.sdLn),
        usedBy: selection.candidates.filter((c) => c.priorFixedM).map((c) => c.model.name),
        basis: { ...prior.basis },
        reasoning: prior.reasoning,
      },
      ...(input.analogues ? { bassAnalogues: describeAnalogues(input.analogues, selection.candidates) } : {}),
    },
    uncertainty: {
      method: draws.method, draws: input.draws, note: draws.note, yearNoiseSd: yearNoiseSd > 0 ? round6(yearNoiseSd) : null,
      ...(yearNoiseSd > 0 ? { yearNoise: `lognormal, sd yearNoiseSd widened to the p10-p90 of a Student-t with ${Math.max(1, cand.fit.dof)} degrees of freedom (${cand.penalty ? 'n - k + 2 priors' : 'n - k'} of the fit)` } : {}),
    },
    assumptions: {
      seasonality: [...settings.seasonality.quarterWeights],
      survival: { distribution: settings.survival.distribution, medianYears: settings.survival.medianYears, shape: settings.survival.shape },
    },
    target: {
      yearlyShipments: input.target,
      year: input.targetYear,
      pReachedInYear: pByYear[String(input.targetYear)] ?? 0,
      reachedQuarter: reached?.quarter ?? null,
      pReachedAtQuarter: reached?.pTargetReached ?? null,
      pByYear,
    },
    activeBase: { threshold: input.target, p90Quarter: crossing('p90'), p50Quarter: crossing('p50'), p10Quarter: crossing('p10') },
    horizon: { first: quarterLabel(firstQ), last: quarterLabel(lastQ) },
    regions: { ...regions.regions },
    quarters,
  };
}

function describeAnalogues(a: AnaloguePrior, candidates: readonly Candidate[]): NonNullable<ForecastPriors['bassAnalogues']> {
  const bass = candidates.find((c) => c.penalty);
  return {
    analogues: a.analogues.map((x) => ({ id: x.id, maker: x.maker, periods: x.periods, m: Math.round(x.m), p: round6(x.p), q: round6(x.q), residualSd: round6(x.residualSd) })),
    p: { median: round6(a.p.median), sdLn: round6(a.p.sdLn) },
    q: { median: round6(a.q.median), sdLn: round6(a.q.sdLn) },
    noiseSd: bass?.penalty ? round6(bass.penalty.noiseSd) : null,
    usedBy: bass ? [bass.model.name] : [],
    method: a.method,
  };
}

function describe(c: Candidate): ForecastCandidate {
  const f = c.fit;
  return {
    model: c.model.name,
    formula: c.model.formula,
    params: Object.fromEntries(Object.entries(f.params).map(([k, v]) => [k, round6(v)])),
    fixedFromPrior: c.priorFixedM ? ['m'] : [],
    note: c.reason ?? null,
    fit: {
      n: f.n,
      k: f.k,
      rmse: Math.round(f.rmse),
      rmseLog: round6(f.rmseLog),
      r2: round6(f.r2),
      aicc: f.aicc === null ? null : round6(f.aicc),
      residualSd: round6(f.residualSd),
    },
    akaikeWeight: c.akaikeWeight === null ? null : round4(c.akaikeWeight),
  };
}

function band(values: Float64Array): Band {
  const sorted = Float64Array.from(values).sort();
  const arr = Array.from(sorted);
  return {
    p10: Math.round(quantileSorted(arr, 0.1)),
    p50: Math.round(quantileSorted(arr, 0.5)),
    p90: Math.round(quantileSorted(arr, 0.9)),
  };
}

function fraction(values: Float64Array, pred: (v: number) => boolean): number {
  let n = 0;
  for (const v of values) if (pred(v)) n++;
  return values.length > 0 ? n / values.length : 0;
}

function round4(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}

function round6(v: number): number {
  return Number(v.toPrecision(7));
}
