/**
 * A service catalog's demand in the traffic model's form: per service, requests per active device per day and its
 * local-hour curve, whether the catalog states the rate (`perDevicePerDay`), derives it from the synthetic users
 * (`usage`), or takes it from a `caplab.demand/v1` file calibrated from telemetry (`observed`). Pure: the CLI reads
 * the usage settings and the demand files and hands them in.
 */
import { type Problem, ValidationError } from '../models/errors.ts';
import type { DemandFile } from '../models/traffic/demand-file.ts';
import { calibrate, type ServiceDemand, type ServiceDemands } from '../models/traffic/service-demand.ts';
import type { Catalog } from './catalog.ts';

/** What a catalog's demand needs besides the catalog. */
export interface CatalogDemandInputs {
  /** Mean photos backed up per device per day of the synthetic users (data/usage.json), for `usage: photosPerDay`. */
  photosPerDay: number;
  /** Each `observed` demand file by resolved path, validated. */
  observed: ReadonlyMap<string, DemandFile>;
}

/**
 * The demand of every service of a catalog, in catalog order.
 * A stated or usage-derived rate is `modeled (<catalog>)`; an observed one is `calibrated from <telemetry>` with its
 * fit, and takes the fitted hourly curve when the fit has one, else the catalog's `hourly`, else the shared curve.
 * @param catalog resolved catalog
 * @param inputs usage mean and the observed demand files
 * @returns demand per service
 * @throws {ValidationError} listing every `observed` file that has no fit for its service
 * @example catalogDemands(catalog, { photosPerDay: 2.5, observed: new Map() }).photos_post.perDevicePerDay // 2.5
 */
export function catalogDemands(catalog: Catalog, inputs: CatalogDemandInputs): ServiceDemands {
  const source = `modeled (${catalog.source})`;
  const out: ServiceDemands = {};
  const problems: Problem[] = [];
  catalog.services.forEach((s, i) => {
    const curve = s.hourly ? { localHourWeights: [...s.hourly] } : {};
    const d = s.demand;
    // A push service makes no requests: it is planned by its connections (resources.connections), not in traffic.
    if (d === undefined) return;
    if ('perDevicePerDay' in d) out[s.name] = { perDevicePerDay: d.perDevicePerDay, ...curve, source };
    // Rounded as traffic.json has always recorded photo uploads.
    else if ('usage' in d) out[s.name] = { perDevicePerDay: Math.round(inputs.photosPerDay * 1e4) / 1e4, ...curve, source };
    else {
      const file = inputs.observed.get(d.observed);
      const fit = file?.services[s.name];
      if (!file || !fit) {
        const has = file ? Object.keys(file.services).join(', ') : 'nothing';
        problems.push({ where: `${catalog.source}: services[${i}].demand.observed`, message: `${d.observed} has no fit for service "${s.name}" (it has ${has}): fit it with \`caplab demand fit\` on telemetry that names the service` });
        return;
      }
      const base: ServiceDemand = { perDevicePerDay: 0, ...curve, source };
      out[s.name] = calibrate({ [s.name]: base }, { ...file, services: { [s.name]: fit } })[s.name]!;
    }
  });
  if (problems.length > 0) throw new ValidationError(`${catalog.source}: observed demand is missing`, problems);
  return out;
}
