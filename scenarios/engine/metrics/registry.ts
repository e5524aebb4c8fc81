/**
 * The metrics registry of one run (or of a merge): a sink per metric, sub-metrics for the tag sets thresholds name
 * plus k6's built-in `http_req_duration{expected_response:true}`, threshold evaluation, and the tallies the
 * handleSummary object needs (groups seen, checks per group).
 * Samples are folded in as they come; nothing per sample is kept, so memory is bounded by the number of metrics.
 */
import { ValidationError } from '../../../models/errors.ts';
import { abortDue, AGGREGATIONS_BY_TYPE, compare, parseExpression, parseMetricKey, type ParsedExpression } from '../thresholds.ts';
import { BUILTIN_METRICS, type BuiltinSubmetric, EXPECTED_RESPONSE_SUBMETRIC, isValidMetricName } from './builtin.ts';
import { type FailureCount, FailureTally } from './failure-tally.ts';
import { createSink, isEmpty, mergeSinkState, readAggregation, type Sink, sinkState, type SinkState, trendStatsProblems } from './sinks.ts';
import type { MetricDef, MetricsRegistry, Sample, Tags, ThresholdResult, ThresholdSpec } from './types.ts';

/** One metric or sub-metric as the outputs read it. */
export interface MetricEntry {
  /** Key: the metric name, or for a sub-metric the threshold key as written (`http_req_duration{scenario:peak}`). */
  readonly key: string;
  /** The metric's definition (for a sub-metric: its parent's). */
  readonly def: MetricDef;
  /** For a sub-metric: the tags a sample must carry to count. */
  readonly tags?: Readonly<Record<string, string>>;
  /** Aggregated state. */
  readonly sink: Sink;
  /** Thresholds on this key, in the order written. */
  readonly thresholds: readonly ThresholdSpec[];
}

/** Passes and fails of one check in one group, from `checks` samples. */
export interface CheckTally {
  /** Group path from the `group` tag (`''` = root, `::outer::inner`). */
  group: string;
  /** Check name from the `check` tag. */
  check: string;
  /** Samples with value 1. */
  passes: number;
  /** Samples with value 0. */
  fails: number;
}

/**
 * What a registry holds, as plain data (structured-clone and JSON safe): the sinks with samples (metrics before their
 * sub-metrics), groups, check tallies and the time range. A worker sends its registry's snapshot, then starts a fresh
 * registry, so the parent adds up deltas; HDR buckets add exactly, so no percentile is ever averaged.
 */
export interface RegistrySnapshot {
  entries: { key: string; def: MetricDef; sink: SinkState }[];
  groups: string[];
  checks: CheckTally[];
  /** Failed requests by error (absent: none). */
  failures?: FailureCount[];
  timeRange?: { first: number; last: number };
}

/** The registry with what outputs (summary, text summary, merge) read. */
export interface Registry extends MetricsRegistry {
  /** summaryTrendStats the registry was created with. */
  readonly summaryTrendStats: readonly string[];
  /**
   * Metrics to report, sorted by key: those with samples, declared custom ones, and every key thresholds name
   * (with its parent), as k6 marks thresholded metrics observed so they show even without samples. A sub-metric no
   * threshold names (`http_req_duration{expected_response:true}`) shows once a sample lands in it, as in k6.
   */
  entries(): MetricEntry[];
  /** One entry by key, observed or not. */
  get(key: string): MetricEntry | undefined;
  /** Group paths seen in samples' `group` tags, first seen first (root `''` excluded). */
  groups(): string[];
  /** Check tallies, first seen first. */
  checks(): CheckTally[];
  /** Failed requests (`http_req_failed` samples of value 1) by k6's error_code, error and status, most frequent first. */
  failures(): FailureCount[];
  /** Earliest and latest sample time (ms since the epoch), or undefined before the first sample. */
  timeRange(): { first: number; last: number } | undefined;
  /** Results of the latest {@link MetricsRegistry.evaluateThresholds} call (empty before the first). */
  lastThresholdResults(): ThresholdResult[];
  /** Everything the registry holds as plain data (see {@link RegistrySnapshot}). */
  snapshot(): RegistrySnapshot;
  /**
   * Adds another registry's snapshot, as if its samples had come here.
   * @param snap a snapshot of a registry created with the same thresholds
   * @throws {Error} when it names a sub-metric this registry does not have, or a metric of another type
   */
  absorb(snap: RegistrySnapshot): void;
}

/** Options of {@link createRegistry}. */
export interface RegistryOptions {
  /** Thresholds by metric key, from parseThresholds (validated). */
  thresholds: Record<string, ThresholdSpec[]>;
  /** summaryTrendStats (k6 default: avg, min, med, max, p(90), p(95)). */
  summaryTrendStats: string[];
}

interface Entry extends MetricEntry {
  sink: Sink;
  declared: boolean;
  /** Not named by a threshold, so hidden until its first sample (k6's Observed flag). */
  untilSampled: boolean;
  parsed: ParsedExpression[];
  subs: Entry[];
  tagList: [string, string][];
}

/**
 * A threshold uses an aggregation its metric's type does not have (e.g. `p(95)` on a counter), found when the
 * metric's type becomes known (built-in at creation, custom at declare or first sample). Invalid input: exit 104.
 */
export class ThresholdTypeError extends ValidationError {
  /** @param key metric key @param threshold expression @param type the metric's type */
  constructor(key: string, threshold: string, type: string) {
    super('thresholds are invalid', [{ where: `thresholds.${key}`, message: `"${threshold}" uses an aggregation a ${type} metric does not have` }]);
  }
}

/** k6's default summaryTrendStats. */
export const DEFAULT_SUMMARY_TREND_STATS: readonly string[] = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];

/**
 * Creates a registry holding every built-in metric, sub-metrics for thresholded tag sets, k6's
 * `http_req_duration{expected_response:true}` (see EXPECTED_RESPONSE_SUBMETRIC), and custom metrics as they are
 * declared (or first seen in a sample).
 * @param opts thresholds and summaryTrendStats
 * @returns the registry
 * @throws {Error} when a threshold key or expression is invalid, or summaryTrendStats has a bad entry (both are
 *   validated earlier, by parseThresholds and the spec; reaching here is a programming error)
 * @throws {ThresholdTypeError} when a threshold on a built-in metric uses an aggregation its type lacks (declare()
 *   and add() throw it for custom metrics)
 * @example const reg = createRegistry({ thresholds: {}, summaryTrendStats: ['avg', 'p(95)'] })
 */
export function createRegistry(opts: RegistryOptions): Registry {
  const statProblems = trendStatsProblems(opts.summaryTrendStats);
  if (statProblems.length > 0) throw new Error(`createRegistry: ${statProblems.join('; ')}`);
  const trendStats = [...opts.summaryTrendStats];
  const byName = new Map<string, Entry>();
  const byKey = new Map<string, Entry>();
  // Thresholds wait here, by parent name, until their metric's type is known (built-in, declared or first seen).
  const pending = new Map<string, { key: string; tags: Record<string, string>; specs: ThresholdSpec[]; parsed: ParsedExpression[] }[]>();
  const groupsSeen = new Set<string>();
  const tallies = new Map<string, CheckTally>();
  const failures = new FailureTally();
  let first = Infinity;
  let last = -Infinity;
  let lastResults: ThresholdResult[] = [];

  for (const [key, specs] of Object.entries(opts.thresholds)) {
    const mk = parseMetricKey(key);
    if (typeof mk === 'string') throw new Error(`createRegistry: ${mk}`);
    const parsed = specs.map((s) => {
      const p = parseExpression(s.threshold);
      if (typeof p === 'string') throw new Error(`createRegistry: ${p}`);
      return p;
    });
    const list = pending.get(mk.name) ?? [];
    list.push({ key, tags: { ...mk.tags }, specs, parsed });
    pending.set(mk.name, list);
  }

  function makeEntry(key: string, def: MetricDef, specs: ThresholdSpec[], parsed: ParsedExpression[], tags?: Record<string, string>): Entry {
    for (const p of parsed) {
      if (!AGGREGATIONS_BY_TYPE[def.type].includes(p.aggregation)) {
        throw new ThresholdTypeError(key, p.source, def.type);
      }
    }
    const e: Entry = {
      key, def, sink: createSink(def.type), thresholds: specs, parsed, declared: false, untilSampled: false, subs: [],
      tagList: tags ? Object.entries(tags) : [],
      ...(tags ? { tags } : {}),
    };
    byKey.set(key, e);
    return e;
  }

  function addMetric(def: MetricDef): Entry {
    const own = pending.get(def.name) ?? [];
    pending.delete(def.name);
    const whole = own.find((t) => t.tags && Object.keys(t.tags).length === 0);
    const e = makeEntry(def.name, def, whole?.specs ?? [], whole?.parsed ?? []);
    for (const t of own) {
      if (t !== whole) e.subs.push(makeEntry(t.key, def, t.specs, t.parsed, t.tags));
    }
    byName.set(def.name, e);
    return e;
  }

  // k6 adds its built-in sub-metric the way it adds a thresholded one, so a threshold on the same tag set (however
  // its key is spelled) already is it: that one stays, under the user's key, so the figures are not reported twice.
  function addBuiltinSub(sub: BuiltinSubmetric): void {
    const parent = byName.get(sub.parent)!;
    const want = Object.entries(sub.tags);
    const same = (x: Entry): boolean => x.tagList.length === want.length && want.every(([k, v]) => x.tags?.[k] === v);
    if (parent.subs.some(same)) return;
    const e = makeEntry(sub.key, parent.def, [], [], { ...sub.tags });
    e.untilSampled = true;
    parent.subs.push(e);
  }

  for (const def of Object.values(BUILTIN_METRICS)) addMetric(def);
  addBuiltinSub(EXPECTED_RESPONSE_SUBMETRIC);

  function ensure(def: MetricDef, where: string): Entry {
    const e = byName.get(def.name);
    if (e === undefined) {
      if (!isValidMetricName(def.name)) throw new Error(`${where}: "${def.name}" is not a valid metric name`);
      return addMetric(def);
    }
    if (e.def !== def && (e.def.type !== def.type || e.def.contains !== def.contains)) {
      throw new Error(`${where}: metric "${def.name}" is a ${e.def.type}/${e.def.contains}, not a ${def.type}/${def.contains}`);
    }
    return e;
  }

  function feed(sink: Sink, s: Sample): void {
    if (sink.type === 'gauge') sink.add(s.value, s.time);
    else sink.add(s.value);
  }

  function matches(tags: Tags, list: [string, string][]): boolean {
    for (const [k, v] of list) if (tags[k] !== v) return false;
    return true;
  }

  function tally(tags: Tags, value: number): void {
    const group = tags.group ?? '';
    const check = tags.check ?? '';
    const id = `${group}\u0000${check}`;
    let t = tallies.get(id);
    if (t === undefined) {
      t = { group, check, passes: 0, fails: 0 };
      tallies.set(id, t);
    }
    if (value !== 0) t.passes++;
    else t.fails++;
  }

  function evaluateEntry(e: Entry, elapsedMs: number, out: ThresholdResult[]): void {
    const empty = isEmpty(e.sink);
    e.parsed.forEach((p, i) => {
      const spec = e.thresholds[i]!;
      const ok = compare(readAggregation(e.sink, p.aggregation, p.percentile, elapsedMs), p.operator, p.value);
      out.push({ metric: e.key, threshold: spec.threshold, ok, abortOnFail: spec.abortOnFail, abortNow: abortDue(spec, ok, elapsedMs, empty) });
    });
  }

  return {
    summaryTrendStats: trendStats,

    declare(def) {
      const e = ensure(def, 'declare');
      e.declared = true;
    },

    add(sample) {
      let e = byName.get(sample.metric.name);
      if (e === undefined || (e.def !== sample.metric && e.def.type !== sample.metric.type)) e = ensure(sample.metric, 'add');
      feed(e.sink, sample);
      for (const sub of e.subs) if (matches(sample.tags, sub.tagList)) feed(sub.sink, sample);
      const group = sample.tags.group;
      if (group !== undefined && group !== '' && !groupsSeen.has(group)) groupsSeen.add(group);
      if (e.def.name === 'checks') tally(sample.tags, sample.value);
      else if (e.def.name === 'http_req_failed' && sample.value !== 0) failures.add(sample.tags);
      if (sample.time < first) first = sample.time;
      if (sample.time > last) last = sample.time;
    },

    evaluateThresholds(elapsedMs) {
      const out: ThresholdResult[] = [];
      for (const e of [...byKey.values()].sort(byEntryKey)) if (e.parsed.length > 0) evaluateEntry(e, elapsedMs, out);
      // A threshold on a metric nobody declared or sampled cannot hold: report it crossed (never an abort).
      for (const list of pending.values()) {
        for (const t of list) {
          for (const s of t.specs) out.push({ metric: t.key, threshold: s.threshold, ok: false, abortOnFail: s.abortOnFail, abortNow: false });
        }
      }
      lastResults = out;
      return out;
    },

    entries() {
      const out: Entry[] = [];
      for (const e of byName.values()) {
        const thresholdedSub = e.subs.some((s) => s.thresholds.length > 0);
        if (!isEmpty(e.sink) || e.declared || e.thresholds.length > 0 || thresholdedSub) out.push(e);
        for (const s of e.subs) if (!s.untilSampled || !isEmpty(s.sink)) out.push(s);
      }
      return out.sort(byEntryKey);
    },

    get(key) {
      return byKey.get(key);
    },

    groups() {
      return [...groupsSeen];
    },

    checks() {
      return [...tallies.values()].map((t) => ({ ...t }));
    },

    failures() {
      return failures.list();
    },

    timeRange() {
      return first <= last ? { first, last } : undefined;
    },

    lastThresholdResults() {
      return lastResults;
    },

    snapshot() {
      const entries: RegistrySnapshot['entries'] = [];
      for (const e of byName.values()) {
        if (!isEmpty(e.sink)) entries.push({ key: e.key, def: { ...e.def }, sink: sinkState(e.sink) });
        for (const sub of e.subs) if (!isEmpty(sub.sink)) entries.push({ key: sub.key, def: { ...sub.def }, sink: sinkState(sub.sink) });
      }
      const failed = failures.list();
      return {
        entries, groups: [...groupsSeen], checks: [...tallies.values()].map((t) => ({ ...t })),
        ...(failed.length > 0 ? { failures: failed } : {}), ...(first <= last ? { timeRange: { first, last } } : {}),
      };
    },

    absorb(snap) {
      for (const x of snap.entries) {
        // A metric's own entry comes before its sub-metrics: ensuring it creates the sub-metrics its thresholds name.
        const e = x.key === x.def.name ? ensure(x.def, 'absorb') : byKey.get(x.key);
        if (e === undefined) throw new Error(`absorb: no sub-metric "${x.key}" here`);
        mergeSinkState(e.sink, x.sink);
      }
      for (const g of snap.groups) groupsSeen.add(g);
      if (snap.failures) failures.merge(snap.failures);
      for (const c of snap.checks) {
        const id = `${c.group}\u0000${c.check}`;
        const t = tallies.get(id);
        if (t === undefined) tallies.set(id, { ...c });
        else {
          t.passes += c.passes;
          t.fails += c.fails;
        }
      }
      if (snap.timeRange) {
        first = Math.min(first, snap.timeRange.first);
        last = Math.max(last, snap.timeRange.last);
      }
    },
  };
}

function byEntryKey(a: MetricEntry, b: MetricEntry): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
