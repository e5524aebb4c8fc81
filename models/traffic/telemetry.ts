/**
 * Observed request rates (telemetry) per data center and service, whatever file or server they came from, and the
 * checks every source shares: the sampling grid (one step, no gaps), rates that are finite and not negative, known
 * data centers and services, no sample twice, and some samples at all. Every problem is listed, with where it is.
 */
import type { Problem } from '../errors.ts';

/** One sample: the mean request rate of one service in one data center over the step ending (or starting) at `time`. */
export interface Observation {
  /** Unix time, seconds. */
  time: number;
  /** Data center. */
  dc: string;
  /** Service (route) name. */
  service: string;
  /** Requests per second (NaN or negative only in rows a problem was recorded for). */
  rps: number;
  /** Where the sample is: `file:line` or `file: data.result[2].values[7]`. */
  where: string;
}

/** What {@link checkTelemetry} needs to know. */
export interface TelemetryRules {
  /** Name of the input for problems that concern it as a whole. */
  source: string;
  /** Data centers of the placement. */
  knownDcs: readonly string[];
  /** Services the fit may calibrate (modeled ones plus the user's own). */
  knownServices: readonly string[];
  /** Sampling step, seconds; default: the most common spacing of consecutive samples of a series. */
  stepSeconds?: number;
}

/** Telemetry that passed the checks. */
export interface CheckedTelemetry {
  /** Usable samples, sorted by service, DC and time. */
  observations: Observation[];
  /** First and last sample time, unix seconds. */
  from: number;
  to: number;
  /** Sampling step, seconds. */
  stepSeconds: number;
}

/** At most this many problems of one kind are listed one by one; the rest are counted in one more line. */
const PER_KIND = 20;
/** Times are on the grid when within this many seconds of it (Prometheus times are floats). */
const GRID_EPS = 1e-3;

/**
 * Checks telemetry and returns the usable samples, or every problem found.
 * @param observations samples in input order, rows that already failed to parse left out
 * @param rules known DCs and services, the step if known
 * @returns `{ok: true, telemetry}` or `{ok: false, problems}` (input order within each kind)
 * @example checkTelemetry([], { source: 't.csv', knownDcs: ['singapore'], knownServices: ['ota_check'] }).ok // false: no samples
 */
export function checkTelemetry(observations: readonly Observation[], rules: TelemetryRules):
  { ok: true; telemetry: CheckedTelemetry } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = [];
  if (observations.length === 0) return { ok: false, problems: [{ where: rules.source, message: 'no samples: expected at least one row of time, dc, service and rate' }] };
  const limited = (kind: string): ((p: Problem) => void) => {
    let count = 0;
    return (p) => {
      count++;
      if (count <= PER_KIND) problems.push(p);
      else if (count === PER_KIND + 1) problems.push({ where: rules.source, message: `more ${kind} problems follow; only the first ${PER_KIND} are listed` });
    };
  };

  // Unknown names: one problem per name, with the lines it is on, rather than one per row.
  const unknown = (field: 'dc' | 'service', known: readonly string[], what: string, hint: string): void => {
    const rows = new Map<string, Observation[]>();
    for (const o of observations) if (!known.includes(o[field])) pushTo(rows, o[field], o);
    for (const [name, os] of rows) {
      problems.push({ where: os[0]!.where, message: `unknown ${what} "${name}" in ${os.length} sample${os.length === 1 ? '' : 's'}${os.length > 1 ? ` (${places(os)})` : ''}; known: ${known.join(', ')}${hint}` });
    }
  };
  unknown('dc', rules.knownDcs, 'data center', ' (the placement\'s data centers)');
  unknown('service', rules.knownServices, 'service', ' (name your own with --services)');

  const bad = limited('rate');
  for (const o of observations) {
    if (!Number.isFinite(o.rps)) bad({ where: o.where, message: `rate of ${o.dc}/${o.service} is not a finite number` });
    else if (o.rps < 0) bad({ where: o.where, message: `rate ${o.rps} of ${o.dc}/${o.service} is negative` });
  }

  const known = observations.filter((o) => rules.knownDcs.includes(o.dc) && rules.knownServices.includes(o.service));
  const series = new Map<string, Observation[]>();
  for (const o of known) pushTo(series, `${o.dc}\u0000${o.service}`, o);
  const duplicate = limited('duplicate');
  for (const os of series.values()) {
    os.sort((a, b) => a.time - b.time);
    for (let i = 1; i < os.length; i++) {
      if (Math.abs(os[i]!.time - os[i - 1]!.time) <= GRID_EPS) {
        duplicate({ where: os[i]!.where, message: `duplicate sample of ${os[i]!.dc}/${os[i]!.service} at ${iso(os[i]!.time)} (also at ${os[i - 1]!.where})` });
      }
    }
  }

  // A loop, not Math.min(...): a week of samples overflows the argument limit.
  let from = Infinity;
  let to = -Infinity;
  for (const o of observations) {
    from = Math.min(from, o.time);
    to = Math.max(to, o.time);
  }
  const step = rules.stepSeconds ?? commonSpacing([...series.values()]);
  if (step === undefined) {
    problems.push({ where: rules.source, message: 'cannot tell the sampling step: no series has two samples (give --step)' });
  } else {
    const grid = limited('sampling-grid');
    const gap = limited('gap');
    const last = Math.floor((to - from) / step + GRID_EPS);
    for (const os of series.values()) {
      const present = new Map<number, Observation>();
      for (const o of os) {
        const k = (o.time - from) / step;
        if (Math.abs(k - Math.round(k)) * step > GRID_EPS) grid({ where: o.where, message: `time ${iso(o.time)} is off the ${step} s sampling grid that starts at ${iso(from)}` });
        else if (!present.has(Math.round(k))) present.set(Math.round(k), o);
      }
      // A missing run of steps is one gap, named by the samples on either side.
      let k = 0;
      while (k <= last) {
        if (present.has(k)) {
          k++;
          continue;
        }
        const start = k;
        while (k <= last && !present.has(k)) k++;
        const before = present.get(start - 1);
        const after = present.get(k);
        const s = k - start;
        const between = before && after ? `between ${before.where} and ${after.where}` : before ? `after ${before.where} (the series ends early)` : `before ${after!.where} (the series starts late)`;
        gap({ where: (before ?? after)!.where, message: `gap in ${os[0]!.dc}/${os[0]!.service}: no sample from ${iso(from + start * step)} to ${iso(from + (k - 1) * step)} (${s} step${s === 1 ? '' : 's'} of ${step} s) ${between}` });
      }
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  const sorted = [...known].sort((a, b) => a.service.localeCompare(b.service) || a.dc.localeCompare(b.dc) || a.time - b.time);
  return { ok: true, telemetry: { observations: sorted, from, to, stepSeconds: step! } };
}

function pushTo<T>(m: Map<string, T[]>, key: string, v: T): void {
  const list = m.get(key);
  if (list) list.push(v);
  else m.set(key, [v]);
}

/**
 * The most common positive spacing of consecutive samples within a series (sorted by time), ties to the smaller, or
 * undefined: the mode rather than the minimum, so one off-grid sample is reported as off the grid instead of halving
 * the step and turning every other sample into a gap.
 */
function commonSpacing(series: readonly Observation[][]): number | undefined {
  const counts = new Map<number, number>();
  for (const os of series) {
    for (let i = 1; i < os.length; i++) {
      const d = Math.round((os[i]!.time - os[i - 1]!.time) * 1000) / 1000;
      if (d > GRID_EPS) counts.set(d, (counts.get(d) ?? 0) + 1);
    }
  }
  let best: [number, number] | undefined;
  for (const [d, c] of counts) if (!best || c > best[1] || (c === best[1] && d < best[0])) best = [d, c];
  return best?.[0];
}

/** The places of a few samples, e.g. `t.csv:4, t.csv:9 and 3 more`. */
function places(os: readonly Observation[]): string {
  const shown = os.slice(0, 5).map((o) => o.where).join(', ');
  return os.length > 5 ? `${shown} and ${os.length - 5} more` : shown;
}

/**
 * A unix time as ISO-8601 UTC, whole seconds shown without milliseconds.
 * @param t unix seconds
 * @returns e.g. `2015-03-02T01:00:00Z`
 */
export function iso(t: number): string {
  const s = new Date(Math.round(t * 1000)).toISOString();
  return s.endsWith('.000Z') ? `${s.slice(0, -5)}Z` : s;
}
