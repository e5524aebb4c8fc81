/**
 * k6 `options` of a caplab k6 module in k6's own syntax, from a spec's validated options: scenarios (durations as k6
 * strings, `exec` naming the exported function), thresholds, summary settings, tags and the transport options, and
 * their script text (the `tlsAuth` files read with k6's `open()`).
 */
import { formatDurationMs } from '../duration.ts';
import type { ScenarioConfig, ScenarioSpec } from '../spec.ts';
import { type TransportOptions, transportOptionsOf } from '../transport-options.ts';
import { execFunctionNames } from './exec-names.ts';

const DURATION_FIELDS = new Set(['startTime', 'gracefulStop', 'duration', 'timeUnit', 'maxDuration', 'gracefulRampDown']);

/** One scenario in k6's own option syntax: durations as k6 strings, exec naming the exported function. */
function scenarioOption(sc: ScenarioConfig, fnByExec: ReadonlyMap<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(sc)) {
    if (v === undefined) continue;
    if (k === 'exec') {
      const fn = fnByExec.get(String(v)) ?? String(v);
      if (fn !== 'default') out.exec = fn;
    } else if ((k === 'env' || k === 'tags') && Object.keys(v as object).length === 0) {
      continue;
    } else if (DURATION_FIELDS.has(k)) {
      out[k] = formatDurationMs(v as number);
    } else if (k === 'stages') {
      out.stages = (v as { duration: number; target: number }[]).map((s) => ({ duration: formatDurationMs(s.duration), target: s.target }));
    } else {
      out[k] = v;
    }
  }
  return out;
}

/**
 * k6 `options` from the spec: scenarios (omitted when the spec has none, so k6's own default of one iteration of
 * one VU, the engine's default too, applies and `--vus/--duration/--iterations` work as in k6), thresholds,
 * summaryTrendStats, summaryTimeUnit, tags, insecureSkipTLSVerify, maxRedirects, noCookiesReset and the transport
 * options (TLS, hosts, userAgent, connection reuse, discardResponseBodies: {@link k6TransportOptions}).
 * @param spec validated spec
 * @returns the options object
 */
export function k6Options(spec: ScenarioSpec): Record<string, unknown> {
  return k6OptionsOf(spec.options, execFunctionNames(spec));
}

/**
 * k6 `options` in k6's own syntax from validated spec options (see {@link k6Options}), each scenario's `exec`
 * replaced by the exported function that runs it (left out when that is `default`, k6's default).
 * @param o validated `options` of a spec (durations in ms)
 * @param fnByExec a scenario's `exec` -> the module's exported function; an exec not in it is kept as written
 * @returns the options object, ready for JSON
 * @example k6OptionsOf(spec.options, new Map([['mixed', 'mixed']]))
 */
export function k6OptionsOf(o: ScenarioSpec['options'], fnByExec: ReadonlyMap<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (o.scenarios && Object.keys(o.scenarios).length > 0) {
    out.scenarios = Object.fromEntries(Object.entries(o.scenarios).map(([n, sc]) => [n, scenarioOption(sc, fnByExec)]));
  }
  if (Object.keys(o.thresholds).length > 0) {
    // k6 reads delayAbortEval as a duration string only; the spec also allows milliseconds as a number.
    out.thresholds = Object.fromEntries(Object.entries(o.thresholds).map(([metric, list]) => [metric, list.map((t) => (
      typeof t === 'object' && typeof t.delayAbortEval === 'number' ? { ...t, delayAbortEval: formatDurationMs(t.delayAbortEval) } : t))]));
  }
  out.summaryTrendStats = o.summaryTrendStats;
  if (o.summaryTimeUnit !== undefined) out.summaryTimeUnit = o.summaryTimeUnit;
  if (Object.keys(o.tags).length > 0) out.tags = o.tags;
  if (o.insecureSkipTLSVerify !== undefined) out.insecureSkipTLSVerify = o.insecureSkipTLSVerify;
  if (o.maxRedirects !== undefined) out.maxRedirects = o.maxRedirects;
  Object.assign(out, k6TransportOptions(o));
  if (o.noCookiesReset !== undefined) out.noCookiesReset = o.noCookiesReset;
  return out;
}

/** How {@link k6TransportOptions} marks a `tlsAuth` file the script reads with `open()` ({@link optionsJs} writes the call). */
const OPEN_MARK = 'caplab:open:';

/**
 * The transport options in k6's syntax: as written, but a `tlsVersion` object with both ends (a missing `min` is
 * Go's client default tls1.2, a missing `max` tls1.3: the same for k6, and @types/k6 wants both), and a `tlsAuth`
 * file as `open(<path>)` (k6 reads PEM text; the key stays in its file rather than in the script).
 * @param o validated options
 * @returns the options that are set, ready for {@link optionsJs}
 */
export function k6TransportOptions(o: Partial<TransportOptions>): Record<string, unknown> {
  const out: Record<string, unknown> = transportOptionsOf(o);
  const v = o.tlsVersion;
  if (typeof v === 'object') out.tlsVersion = { min: v.min ?? 'tls1.2', max: v.max ?? 'tls1.3' };
  if (o.tlsAuth !== undefined) {
    out.tlsAuth = o.tlsAuth.map((e) => ({
      ...(e.domains.length > 0 ? { domains: e.domains } : {}),
      cert: e.certFile !== undefined ? `${OPEN_MARK}${e.certFile}` : e.cert,
      key: e.keyFile !== undefined ? `${OPEN_MARK}${e.keyFile}` : e.key,
      ...(e.password !== undefined ? { password: e.password } : {}),
    }));
  }
  return out;
}

/**
 * k6 options as script text: JSON, except the files `tlsAuth` names, read with k6's `open()` in the init context.
 * @param options from {@link k6OptionsOf}
 * @returns a JavaScript expression
 */
export function optionsJs(options: Record<string, unknown>): string {
  return JSON.stringify(options, null, 2).replace(/"caplab:open:(?:[^"\\]|\\.)*"/g, (lit) => `open(${JSON.stringify((JSON.parse(lit) as string).slice(OPEN_MARK.length))})`);
}
