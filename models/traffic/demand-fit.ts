/**
 * Calibrates demand from telemetry: per service, the requests per active device per day and the local-hour curve
 * that explain the request rates the data centers observed.
 *
 * Per DC and service the samples are averaged per UTC hour (over all days). The rate is pooled over DCs:
 * perDevicePerDay = Σ_d meanRps_d × 86400 / Σ_d devices_d. The curve w (24 local-hour weights) is the non-negative
 * least-squares solution of, for every DC d and UTC hour h, Σ_c share_c × w((h + offset_c) mod 24) = the DC's observed
 * hourly mean / its daily mean: the traffic model's own mixture of its countries' time zones (half-hour zones
 * interpolated as it does), inverted. It is fitted only when every DC saw every UTC hour; otherwise the modeled curve
 * is kept, the rate is the window's mean and the file says so, rather than inventing hours nobody observed.
 * Residuals compare each DC's observed hourly mean with what the calibrated demand gives for it. Pure.
 */
import type { DcMix } from './dc-mix.ts';
import type { DemandFile, ServiceFit } from './demand-file.ts';
import { normaliseMean, utcCurve } from './diurnal.ts';
import { nnls } from './nnls.ts';
import { type CheckedTelemetry, iso } from './telemetry.ts';

/** Inputs of {@link fitDemand}. */
export interface DemandFitInput {
  /** Checked telemetry (checkTelemetry). */
  telemetry: CheckedTelemetry;
  /** Where it came from: kind and a human-readable name (file path, or URL and query). */
  source: { kind: DemandFile['source']['kind']; what: string };
  /** Placement whose routing gave the DCs' populations. */
  placement: string;
  /** Quarter whose device mix was used, or null when none was (devices given, no curve fitted). */
  quarter: string | null;
  /** Active devices per DC, with where the number came from; every DC of the telemetry needs one. */
  devices: Readonly<Record<string, { activeDevices: number; from: string }>>;
  /** Countries, device shares and UTC offsets per DC during the telemetry; without them no curve is fitted. */
  mixes?: Readonly<Record<string, DcMix>>;
}

const DAY = 86400;

/**
 * Fits per-service demand to telemetry.
 * @param input checked telemetry, devices per DC, the DCs' country mixes
 * @returns the content of demand.json (`caplab.demand/v1`), numbers rounded to 6 significant digits
 * @throws {RangeError} when a DC of the telemetry has no positive device count
 * @example fitDemand({ telemetry, source: { kind: 'csv', what: 't.csv' }, placement: 'seed-4dc', quarter: '2015Q1', devices, mixes }).services.ota_check.perDevicePerDay
 */
export function fitDemand(input: DemandFitInput): DemandFile {
  const { telemetry } = input;
  const byService = new Map<string, Map<string, { sum: number[]; count: number[]; total: number; n: number }>>();
  for (const o of telemetry.observations) {
    let dcs = byService.get(o.service);
    if (!dcs) byService.set(o.service, (dcs = new Map()));
    let acc = dcs.get(o.dc);
    if (!acc) dcs.set(o.dc, (acc = { sum: new Array<number>(24).fill(0), count: new Array<number>(24).fill(0), total: 0, n: 0 }));
    const h = new Date(Math.round(o.time * 1000)).getUTCHours();
    acc.sum[h]! += o.rps;
    acc.count[h]!++;
    acc.total += o.rps;
    acc.n++;
  }
  const usedDcs = new Set<string>();
  const services: Record<string, ServiceFit> = {};
  for (const [service, dcs] of [...byService].sort(([a], [b]) => a.localeCompare(b))) {
    const names = [...dcs.keys()].sort();
    for (const dc of names) {
      usedDcs.add(dc);
      if (!((input.devices[dc]?.activeDevices ?? 0) > 0)) throw new RangeError(`fitDemand: no active devices for data center ${dc}`);
    }
    const hourly = new Map(names.map((dc) => {
      const a = dcs.get(dc)!;
      return [dc, a.sum.map((s, h) => (a.count[h]! > 0 ? s / a.count[h]! : null))] as const;
    }));
    const uncovered = names.filter((dc) => hourly.get(dc)!.some((v) => v === null));
    const unmixed = names.filter((dc) => !(input.mixes?.[dc]?.countries.length));
    let note: string | null = null;
    let weights: number[] | null = null;
    if (uncovered.length > 0) {
      const hours = uncovered.map((dc) => `${dc}: ${hourly.get(dc)!.filter((v) => v !== null).length}`).join(', ');
      note = `telemetry does not cover every UTC hour (${hours} of 24): the hourly curve is not fitted and the modeled one is kept; the rate is the mean over the window, not corrected for the time of day`;
    } else if (unmixed.length > 0) {
      note = `no country mix for ${unmixed.join(', ')} (no quarter of the forecast, or no devices routed there in it): the modeled hourly curve is kept`;
    } else {
      weights = fitCurve(names.map((dc) => ({ mix: input.mixes![dc]!, hourly: hourly.get(dc)! as number[] })));
      if (weights === null) note = 'every observed rate is 0: the modeled hourly curve is kept';
    }
    const meanRps = (dc: string): number => {
      const a = dcs.get(dc)!;
      // Full days: every hour counts once, however many samples it has; a partial window: the plain time mean.
      return uncovered.length === 0 ? (hourly.get(dc)! as number[]).reduce((s, v) => s + v, 0) / 24 : a.total / a.n;
    };
    const totalDevices = names.reduce((s, dc) => s + input.devices[dc]!.activeDevices, 0);
    const rate = names.reduce((s, dc) => s + meanRps(dc), 0) * DAY / totalDevices;
    const residuals: ServiceFit['fit']['residuals'] = {};
    const perDc: ServiceFit['dcs'] = {};
    const cells: { obs: number; fit: number }[] = [];
    for (const dc of names) {
      const devices = input.devices[dc]!.activeDevices;
      const shape = weights ? dcShape(input.mixes![dc]!, weights) : new Array<number>(24).fill(1);
      const rows = hourly.get(dc)!.flatMap((obs, h) => (obs === null ? [] : [{
        hourUtc: h, observedRps: sig(obs), fittedRps: sig((devices * rate * shape[h]!) / DAY), samples: dcs.get(dc)!.count[h]!,
      }]));
      residuals[dc] = rows;
      const own = rows.map((r) => ({ obs: r.observedRps, fit: r.fittedRps }));
      cells.push(...own);
      const m = meanRps(dc);
      perDc[dc] = {
        meanRps: sig(m), perDevicePerDay: sig((m * DAY) / devices), samples: dcs.get(dc)!.n, hoursCovered: rows.length,
        fittedMeanRps: sig(rows.reduce((s, r) => s + r.fittedRps, 0) / rows.length), rmseRps: sig(rmse(own)), mapePct: mape(own),
      };
    }
    services[service] = {
      perDevicePerDay: sig(rate),
      localHourWeights: weights ? roundMean1(weights) : null,
      dcs: perDc,
      fit: { rmseRps: sig(rmse(cells)), mapePct: mape(cells), note, residuals },
    };
  }
  const devices = Object.fromEntries([...usedDcs].sort().map((dc) => [dc, { activeDevices: input.devices[dc]!.activeDevices, from: input.devices[dc]!.from }]));
  return {
    schema: 'caplab.demand/v1',
    source: { kind: input.source.kind, what: input.source.what, from: iso(telemetry.from), to: iso(telemetry.to), stepSeconds: telemetry.stepSeconds },
    placement: input.placement,
    quarter: input.quarter,
    devices,
    services,
  };
}

/**
 * The matrix M of a DC: its UTC curve is M w for local weights w. Column k is the UTC curve of a unit weight at local
 * hour k, mixed over the DC's countries, so the fit and the traffic model shift hours the same way.
 */
function mixMatrix(mix: DcMix): number[][] {
  const m = Array.from({ length: 24 }, () => new Array<number>(24).fill(0));
  for (let k = 0; k < 24; k++) {
    const unit = Array.from({ length: 24 }, (_, i) => (i === k ? 1 : 0));
    for (const c of mix.countries) utcCurve(unit, c.offsetHours).forEach((v, h) => (m[h]![k]! += c.share * v));
  }
  return m;
}

/** A DC's UTC curve for local weights w. */
function dcShape(mix: DcMix, w: readonly number[]): number[] {
  return mixMatrix(mix).map((row) => row.reduce((s, v, k) => s + v * w[k]!, 0));
}

/** NNLS over every DC's normalised hourly means; null when no DC saw any request. */
function fitCurve(dcs: readonly { mix: DcMix; hourly: readonly number[] }[]): number[] | null {
  const a: number[][] = [];
  const b: number[] = [];
  for (const { mix, hourly } of dcs) {
    const mean = hourly.reduce((s, v) => s + v, 0) / 24;
    if (!(mean > 0)) continue;
    a.push(...mixMatrix(mix));
    b.push(...hourly.map((v) => v / mean));
  }
  if (a.length === 0) return null;
  const w = nnls(a, b);
  return w.some((x) => x > 0) ? normaliseMean(w) : null;
}

function rmse(cells: readonly { obs: number; fit: number }[]): number {
  return cells.length === 0 ? 0 : Math.sqrt(cells.reduce((s, c) => s + (c.obs - c.fit) ** 2, 0) / cells.length);
}

/** Mean absolute percentage error over the cells with observed requests, %; null when there are none. */
function mape(cells: readonly { obs: number; fit: number }[]): number | null {
  const used = cells.filter((c) => c.obs > 0);
  return used.length === 0 ? null : sig((100 * used.reduce((s, c) => s + Math.abs(c.obs - c.fit) / c.obs, 0)) / used.length);
}

/** Weights rounded to 5 decimals, still of mean 1 within the rounding. */
function roundMean1(w: readonly number[]): number[] {
  return w.map((x) => Math.round(x * 1e5) / 1e5);
}

function sig(v: number): number {
  return v === 0 || !Number.isFinite(v) ? v : Number(v.toPrecision(6));
}
