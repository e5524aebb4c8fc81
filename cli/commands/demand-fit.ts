/**
 * `caplab demand fit`: calibrate per-service demand from observed request rates. Reads telemetry from a CSV file, a
 * saved Prometheus query_range answer, or a live Prometheus server; checks it (every problem listed, exit 104, nothing
 * written); takes the active devices per DC from `--devices` or from the forecast quarter containing the telemetry,
 * and the DCs' country mixes from the placement's routing; fits (models/traffic/demand-fit.ts) and writes
 * <out-dir>/demand.json (`caplab.demand/v1`) for `caplab traffic --demand`, or prints it with --json.
 */
import { join } from 'node:path';
import type { Problem } from '../../models/errors.ts';
import { ValidationError } from '../../models/errors.ts';
import { quarterLabel } from '../../models/quarter.ts';
import { routeCountries } from '../../models/routing/route.ts';
import { type DcMix, dcMixes } from '../../models/traffic/dc-mix.ts';
import { fitDemand } from '../../models/traffic/demand-fit.ts';
import type { DemandFile } from '../../models/traffic/demand-file.ts';
import { checkTelemetry } from '../../models/traffic/telemetry.ts';
import { type ParsedTelemetry, parseTelemetryCsv } from '../../models/traffic/telemetry-csv.ts';
import { parsePrometheusMatrix } from '../../models/traffic/telemetry-prometheus.ts';
import { parseDurationMs } from '../../scenarios/duration.ts';
import { catalogOf } from '../inputs/catalog.ts';
import type { CommandRun } from '../context.ts';
import { EXIT, InputError } from '../errors.ts';
import { computeForecast } from '../chain.ts';
import { readForecastFile } from '../inputs/forecast.ts';
import { readJson } from '../inputs/json.ts';
import { DEMAND } from '../../pipeline/layout.ts';
import { parseJsonInput, readTextInput, writeFileAtomic } from '../io.ts';
import { PASSWORD_VAR, prometheusTarget, TOKEN_VAR, USER_VAR } from '../prometheus-auth.ts';
import { renderDemandFit } from '../print/demand.ts';
import { loadPlacement, loadRoutingData } from '../inputs/routing.ts';
import { builtInWorld } from '../inputs/world.ts';

/** Options of `caplab demand fit`. */
export interface DemandFitOptions {
  csv?: string;
  prometheusFile?: string;
  prometheus?: string;
  query?: string;
  start?: string;
  end?: string;
  step?: string;
  dcLabel: string;
  serviceLabel: string;
  devices?: string;
  services?: string;
  /** A `caplab.catalog/v1` file whose service names the telemetry may use (default: data/catalog.json). */
  catalog?: string;
  placement: string;
  forecast?: string;
  quarter?: string;
  json: boolean;
}

/** Telemetry as read, with its source. */
interface Source {
  kind: DemandFile['source']['kind'];
  what: string;
  parsed: ParsedTelemetry;
  stepSeconds?: number;
}

/**
 * Computes demand.json's content from the command's options.
 * @param opts command options
 * @param seed seed of a computed forecast
 * @returns the demand file content
 * @throws {InputError} on bad flags, unreadable files or an unreachable Prometheus
 * @throws {ValidationError} listing every problem of the telemetry and the device counts
 * @example const demand = await computeDemandFit({ csv: 't.csv', dcLabel: 'dc', serviceLabel: 'service', placement: 'seed-4dc', json: false }, 1)
 */
export async function computeDemandFit(opts: DemandFitOptions, seed: number): Promise<DemandFile> {
  const given = [opts.csv, opts.prometheusFile, opts.prometheus].filter((x) => x !== undefined).length;
  if (given !== 1) throw new InputError('give exactly one of --csv FILE, --prometheus-file FILE or --prometheus URL --query Q');
  const step = opts.step === undefined ? undefined : parseStep(opts.step);
  const source = await readSource(opts, step);
  const { rtt, residency } = loadRoutingData();
  const placement = await loadPlacement(opts.placement);
  const regions = builtInWorld().world.regions;
  const routing = routeCountries(placement, regions.countries.map((c) => c.code), rtt, residency);
  const known = (await catalogOf(opts.catalog, undefined)).services.map((s) => s.name);
  const extra = (opts.services ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  const problems: Problem[] = [...source.parsed.problems];
  const flagDevices = parseDevices(opts.devices, placement.dcs, problems);
  const checked = checkTelemetry(source.parsed.observations, {
    source: source.what, knownDcs: placement.dcs, knownServices: [...known, ...extra], ...(step !== undefined || source.stepSeconds !== undefined ? { stepSeconds: step ?? source.stepSeconds! } : {}),
  });
  if (!checked.ok) problems.push(...checked.problems);
  if (!checked.ok || problems.length > 0) throw new ValidationError(`telemetry ${source.what} is invalid`, problems);
  const t = checked.telemetry;

  // The population behind each DC: the forecast quarter holding the middle of the telemetry, unless --quarter says.
  const forecast = opts.forecast !== undefined ? await readForecastFile(opts.forecast) : await computeForecast({}, seed);
  const mid = new Date(((t.from + t.to) / 2) * 1000);
  const quarter = opts.quarter ?? quarterLabel(mid.getUTCFullYear() * 4 + Math.floor(mid.getUTCMonth() / 3));
  const fq = forecast.quarters.find((q) => q.quarter === quarter);
  const range = `${forecast.horizon.first} to ${forecast.horizon.last}`;
  if (opts.quarter !== undefined && !fq) throw new InputError(`--quarter ${opts.quarter} is outside the forecast (${range})`);
  let mixes: Record<string, DcMix> | undefined;
  if (fq) {
    const p50 = Object.fromEntries(Object.entries(fq.byCountry).map(([c, b]) => [c, b.p50]));
    mixes = dcMixes(routing, p50, Object.fromEntries(regions.countries.map((c) => [c.code, c.timeZone])), mid);
  }
  const devices: Record<string, { activeDevices: number; from: string }> = {};
  for (const dc of [...new Set(t.observations.map((o) => o.dc))].sort()) {
    const flag = flagDevices[dc];
    if (flag !== undefined) devices[dc] = { activeDevices: flag, from: '--devices' };
    else if (mixes?.[dc] && mixes[dc].devices > 0) devices[dc] = { activeDevices: Math.round(mixes[dc].devices), from: `forecast ${quarter} p50` };
    else {
      problems.push({
        where: '--devices',
        message: fq ? `no active devices for ${dc}: no country routed to it has devices in ${quarter}; pass --devices ${dc}=N`
          : `no active devices for ${dc}: the telemetry's quarter ${quarter} is outside the forecast (${range}); pass --devices ${dc}=N or --quarter`,
      });
    }
  }
  if (problems.length > 0) throw new ValidationError(`telemetry ${source.what}: active devices are missing`, problems);
  return fitDemand({ telemetry: t, source: { kind: source.kind, what: source.what }, placement: placement.name, quarter: fq ? quarter : null, devices, ...(mixes ? { mixes } : {}) });
}

/** Reads the one telemetry source. */
async function readSource(opts: DemandFitOptions, step: number | undefined): Promise<Source> {
  const labels = { dcLabel: opts.dcLabel, serviceLabel: opts.serviceLabel };
  if (opts.csv !== undefined) return { kind: 'csv', what: opts.csv, parsed: parseTelemetryCsv(await readTextInput(opts.csv, 'telemetry file'), opts.csv) };
  if (opts.prometheusFile !== undefined) {
    const f = opts.prometheusFile;
    return { kind: 'prometheus-file', what: f, parsed: parsePrometheusMatrix(await readJson(f, 'Prometheus query_range file'), f, labels) };
  }
  if (opts.query === undefined) throw new InputError('--prometheus needs --query (a PromQL expression giving requests/s by DC and service)');
  const target = prometheusTarget(opts.prometheus!, process.env);
  const base = target.display;
  // Defaults: the last whole day, every 5 minutes: enough hours to fit a curve, 288 points per series.
  const end = opts.end === undefined ? Math.floor(Date.now() / 1000) : parseTime(opts.end, '--end');
  const start = opts.start === undefined ? end - 86400 : parseTime(opts.start, '--start');
  const stepS = step ?? 300;
  if (!(start < end)) throw new InputError(`--start must come before --end (got ${start} and ${end})`);
  const url = new URL('api/v1/query_range', base.endsWith('/') ? base : `${base}/`);
  url.search = new URLSearchParams({ query: opts.query, start: String(start), end: String(end), step: String(stepS) }).toString();
  let body: unknown;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(60_000), headers: { accept: 'application/json', ...target.headers } });
    const text = await res.text();
    if (res.status === 401 || res.status === 403) {
      throw new InputError(`Prometheus at ${base} answered HTTP ${res.status}: ${target.headers.authorization ? 'the credentials were refused' : 'it needs credentials'}; ` +
        `set ${TOKEN_VAR} (bearer token) or ${USER_VAR} and ${PASSWORD_VAR} (basic auth)`);
    }
    // Prometheus answers a bad query with 400/422 and a JSON error body, which the parser reports.
    body = parseJsonInput(text, `${url.origin}${url.pathname} (HTTP ${res.status})`);
  } catch (err) {
    if (err instanceof InputError) throw err;
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new InputError(`cannot query Prometheus at ${base}: ${cause}`);
  }
  const what = `${base} ${opts.query}`;
  return { kind: 'prometheus', what, parsed: parsePrometheusMatrix(body, what, labels), stepSeconds: stepS };
}

/** `--devices dc=N[,dc=N...]`: problems for malformed entries and unknown DCs. */
function parseDevices(text: string | undefined, dcs: readonly string[], problems: Problem[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (text ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const m = /^([^=\s]+)\s*=\s*([0-9.]+(?:e[+-]?\d+)?)([kKmM]?)$/.exec(part);
    const n = m ? Number(m[2]) * ({ '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6 } as Record<string, number>)[m[3]!]! : NaN;
    if (!m || !(n > 0) || !Number.isFinite(n)) problems.push({ where: '--devices', message: `"${part}" is not dc=N with N a positive number (e.g. singapore=12M)` });
    else if (!dcs.includes(m[1]!)) problems.push({ where: '--devices', message: `unknown data center "${m[1]}" (known: ${dcs.join(', ')})` });
    else out[m[1]!] = n;
  }
  return out;
}

/** Seconds from `60`, `15s`, `5m` or `1h`. */
function parseStep(text: string): number {
  const ms = /^\d+(?:\.\d+)?$/.test(text.trim()) ? Number(text) * 1000 : parseDurationMs(text);
  if (ms === undefined || !(ms > 0)) throw new InputError(`--step "${text}" is not a positive duration (e.g. 60, 15s, 5m)`);
  return ms / 1000;
}

/** Unix seconds from ISO-8601 with a zone, or unix seconds. */
function parseTime(text: string, flag: string): number {
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text);
  const ms = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text) ? Date.parse(text) : NaN;
  if (!Number.isFinite(ms)) throw new InputError(`${flag} "${text}" is neither ISO-8601 with a zone (2015-03-02T00:00:00Z) nor unix seconds`);
  return ms / 1000;
}

/**
 * Serialises a demand file exactly as demand.json holds it.
 * @param d demand file content
 * @returns JSON text with a trailing newline
 */
export function demandJson(d: DemandFile): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}

/** Runs `caplab demand fit`. */
export const run: CommandRun<DemandFitOptions> = async ({ opts, global }) => {
  const demand = await computeDemandFit(opts, global.seed);
  const json = demandJson(demand);
  if (opts.json) {
    process.stdout.write(json);
    return EXIT.ok;
  }
  const path = join(global.outDir, DEMAND);
  await writeFileAtomic(path, json);
  process.stdout.write(renderDemandFit(demand));
  if (!global.quiet) process.stdout.write(`\nwrote ${path}; use it with: caplab traffic --demand ${path}\n`);
  return EXIT.ok;
};
