/**
 * The demand of each service in one general form, whatever it comes from: a service catalog's stated rate (modeled;
 * data/catalog.json by default) or a `caplab.demand/v1` file fitted to telemetry (calibrated). The traffic model reads
 * only this.
 */
import type { TrafficDemandSource } from '../types.ts';
import type { DemandFile } from './demand-file.ts';

/**
 * Source of the default demand: the built-in catalog's modeled rates. traffic.json leaves `demandSources` out when
 * every service has it (and the shared curve), so default files keep their bytes.
 */
export const MODELED_SOURCE = 'modeled (data/catalog.json)';

/** Fit quality of a calibrated service, as traffic.json records it (the summary of the demand file's fit). */
export type DemandFitSummary = NonNullable<TrafficDemandSource['fit']>;

/** The demand of one service. */
export interface ServiceDemand {
  /** Requests per active device per day. */
  perDevicePerDay: number;
  /** 24 local-hour weights (any scale, normalised to mean 1 by the model); absent: the shared curve of data/load-shape.json. */
  localHourWeights?: readonly number[];
  /** `modeled (<catalog>)` or `calibrated from <telemetry source>`. */
  source: string;
  /** The fit behind a calibrated rate. */
  fit?: DemandFitSummary;
}

/** Demand per service, in the order traffic.json lists them. */
export type ServiceDemands = Record<string, ServiceDemand>;

/**
 * Overlays a calibrated demand file on a base: its services replace or extend the base's; a service with a fitted
 * curve gets that curve, one without keeps the base's curve (if any) or the shared one.
 * @param base the modeled demand (a catalog's)
 * @param file a validated `caplab.demand/v1` file
 * @returns a new record: the base's services in order, then the file's new ones
 * @example calibrate(demands, file).ota_check.source // 'calibrated from telemetry.csv'
 */
export function calibrate(base: ServiceDemands, file: DemandFile): ServiceDemands {
  const out: ServiceDemands = { ...base };
  const source = `calibrated from ${file.source.what}`;
  for (const [s, d] of Object.entries(file.services)) {
    const curve = d.localHourWeights ?? base[s]?.localHourWeights;
    const dcs = Object.fromEntries(Object.entries(d.dcs).map(([dc, x]) => [dc, {
      observedMeanRps: x.meanRps, fittedMeanRps: x.fittedMeanRps, rmseRps: x.rmseRps, mapePct: x.mapePct, samples: x.samples,
    }]));
    out[s] = {
      perDevicePerDay: d.perDevicePerDay,
      ...(curve ? { localHourWeights: [...curve] } : {}),
      source,
      fit: { rmseRps: d.fit.rmseRps, mapePct: d.fit.mapePct, curve: d.localHourWeights ? 'fitted' : 'modeled', note: d.fit.note, dcs },
    };
  }
  return out;
}

/**
 * Every service's demand per device scaled by one factor (curves unchanged), saying so in each one's source: what
 * `calibrate: fleet` does so that the model's peak at today's fleet's as-of period is the peak that fleet serves.
 * @param base the demand
 * @param factor the scale, > 0
 * @param why what the factor comes from, appended to each source
 * @returns a new record, services in the same order
 * @throws {RangeError} when the factor is not a positive finite number
 * @example scaleDemands(d, 0.8, 'to today\'s fleet').ota_check.perDevicePerDay // 0.8 x before
 */
export function scaleDemands(base: ServiceDemands, factor: number, why: string): ServiceDemands {
  if (!(factor > 0) || !Number.isFinite(factor)) throw new RangeError(`scaleDemands: factor must be a positive number, got ${factor}`);
  return Object.fromEntries(Object.entries(base).map(([s, d]) => [s, {
    ...d, perDevicePerDay: d.perDevicePerDay * factor, source: `${d.source}, scaled x${Number(factor.toPrecision(4))} ${why}`,
  }]));
}

