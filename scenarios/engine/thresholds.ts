/**
 * k6 thresholds: parsing `options.thresholds` (every form k6 accepts, every problem listed with its path) and the
 * evaluation rules (which aggregation each metric type supports, comparison, when an abort is due).
 *
 * Syntax, as k6's thresholds parser reads it: `<aggregation> <operator> <number>` with aggregation one of `count`,
 * `rate`, `value`, `avg`, `min`, `max`, `med`, `p(N)` (0 <= N <= 100) and operator one of `<`, `<=`, `>`, `>=`,
 * `==`, `===`, `!=`; metric keys are `name` or `name{tag:value,...}` (a sub-metric over samples carrying those tags).
 */
import { BUILTIN_METRICS, isValidMetricName } from './metrics/builtin.ts';
import type { MetricDef, MetricType, ThresholdSpec } from './metrics/types.ts';

/** A threshold aggregation method. */
export type Aggregation = 'count' | 'rate' | 'value' | 'avg' | 'min' | 'max' | 'med' | 'p';

/** A comparison operator as k6 accepts it. */
export type Operator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';

/** A parsed threshold expression. */
export interface ParsedExpression {
  /** The expression as written. */
  source: string;
  /** Aggregation method. */
  aggregation: Aggregation;
  /** For `p(N)`: N, a percentage 0..100. */
  percentile?: number;
  /** Comparison operator. */
  operator: Operator;
  /** Right-hand side. */
  value: number;
}

/** A parsed metric key: the metric name and, for a sub-metric, the tags a sample must carry. */
export interface MetricKey {
  /** The key as written, e.g. `http_req_duration{scenario:peak}`. */
  key: string;
  /** Parent metric name. */
  name: string;
  /** Tag filter (empty for the whole metric). */
  tags: Readonly<Record<string, string>>;
}

/** One problem in `options.thresholds`, with its JSON path below `thresholds`. */
export interface ThresholdProblem {
  /** Path, e.g. `['http_req_duration', 0]` or `['http_req_failed', 1, 'delayAbortEval']`. */
  path: (string | number)[];
  /** What is wrong, naming the bad value. */
  message: string;
}

// Order matters: k6 scans for the two-character operators before their one-character prefixes.
const OPERATORS: readonly Operator[] = ['<=', '<', '>=', '>', '===', '==', '!='];
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Aggregation methods k6 supports per metric type (k6 rejects the others at start-up). */
export const AGGREGATIONS_BY_TYPE: Readonly<Record<MetricType, readonly Aggregation[]>> = {
  counter: ['count', 'rate'],
  gauge: ['value'],
  rate: ['rate'],
  trend: ['avg', 'min', 'max', 'med', 'p'],
};

/**
 * Parses one threshold expression.
 * @param source expression, e.g. `p(95)<300`
 * @returns the parsed expression, or a message saying what is wrong
 * @example parseExpression('p(99.9) <= 1e3') // { aggregation: 'p', percentile: 99.9, operator: '<=', value: 1000, ... }
 */
export function parseExpression(source: string): ParsedExpression | string {
  const op = OPERATORS.find((o) => source.includes(o));
  if (op === undefined) return `threshold "${source}" is malformed: expected <aggregation> <operator> <number>, e.g. "p(95)<300"`;
  const at = source.indexOf(op);
  const method = source.slice(0, at).trim();
  const rhs = source.slice(at + op.length).trim();
  if (!NUMBER.test(rhs)) return `threshold "${source}": "${rhs}" is not a number`;
  const value = Number(rhs);
  const pm = /^p\((.*)\)$/.exec(method);
  if (pm) {
    const inner = (pm[1] ?? '').trim();
    const pct = Number(inner);
    if (!NUMBER.test(inner) || pct < 0 || pct > 100) {
      return `threshold "${source}": percentile "${inner}" must be a number from 0 to 100`;
    }
    return { source, aggregation: 'p', percentile: pct, operator: op, value };
  }
  if (!['count', 'rate', 'value', 'avg', 'min', 'max', 'med'].includes(method)) {
    return `threshold "${source}": unknown aggregation "${method}" (expected count, rate, value, avg, min, max, med or p(N))`;
  }
  return { source, aggregation: method as Aggregation, operator: op, value };
}

function unquote(s: string): string {
  return s.trim().replace(/^["']+|["']+$/g, '');
}

/**
 * Parses a metric key `name` or `name{tag:value,...}` as k6 does (quotes around keys and values are dropped).
 * @param key the key as written
 * @returns the parsed key, or a message saying what is wrong
 * @example parseMetricKey('http_req_duration{scenario:peak,name:sync}').tags // { scenario: 'peak', name: 'sync' }
 */
export function parseMetricKey(key: string): MetricKey | string {
  const open = key.indexOf('{');
  const close = key.lastIndexOf('}');
  if (open === -1 && close === -1) {
    return isValidMetricName(key) ? { key, name: key, tags: {} } : `"${key}" is not a valid metric name`;
  }
  if (open === -1 || close === -1 || close < open || close !== key.length - 1) {
    return `metric key "${key}" is malformed: expected name{tag:value,...}`;
  }
  const name = key.slice(0, open).trim();
  if (!isValidMetricName(name)) return `metric key "${key}": "${name}" is not a valid metric name`;
  const tags: Record<string, string> = {};
  for (const part of key.slice(open + 1, close).split(',')) {
    const colon = part.indexOf(':');
    const k = colon === -1 ? '' : unquote(part.slice(0, colon));
    const v = colon === -1 ? '' : unquote(part.slice(colon + 1));
    if (colon === -1 || k === '' || v === '') return `metric key "${key}": tag filter "${part.trim()}" is not tag:value`;
    tags[k] = v;
  }
  return { key, name, tags };
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 };

/** Parses k6's `delayAbortEval` (a Go duration string like `1m30s`, or a number of ms) into ms; undefined if invalid. */
function parseDelay(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const text = v.trim();
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * (DURATION_UNITS[m[2] ?? ''] ?? NaN);
    pos = re.lastIndex;
  }
  return pos === text.length && pos > 0 && Number.isFinite(total) ? total : undefined;
}

function tagSetKey(tags: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Options of {@link parseThresholds}. */
export interface ParseThresholdsOptions {
  /** Metrics whose type is known (default: the built-ins); an aggregation their type lacks is a problem. */
  metrics?: Readonly<Record<string, MetricDef>>;
  /** When true, a key naming a metric outside `metrics` is a problem (k6: "no metric name ... found"). */
  requireKnown?: boolean;
}

/**
 * Validates k6's `options.thresholds` and returns every threshold in the normalised {@link ThresholdSpec} form.
 * Accepted per key: an array of expression strings and/or objects `{threshold, abortOnFail?, delayAbortEval?}`.
 * Nothing stops at the first problem: each one is listed with its path.
 * @param value the untrusted `thresholds` value (from JSON or YAML); undefined/null means no thresholds
 * @param opts known metrics for type checks
 * @returns specs by metric key as written, and every problem found (specs are only meaningful when there is none)
 * @example parseThresholds({ 'http_req_failed{scenario:peak}': ['rate<0.01'] }).specs
 */
export function parseThresholds(
  value: unknown,
  opts: ParseThresholdsOptions = {},
): { specs: Record<string, ThresholdSpec[]>; problems: ThresholdProblem[] } {
  const specs: Record<string, ThresholdSpec[]> = {};
  const problems: ThresholdProblem[] = [];
  if (value === undefined || value === null) return { specs, problems };
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ path: [], message: 'thresholds must be an object of metric key -> array of thresholds' });
    return { specs, problems };
  }
  const known = opts.metrics ?? BUILTIN_METRICS;
  const seenTagSets = new Map<string, string>();
  for (const [key, list] of Object.entries(value as Record<string, unknown>)) {
    const parsedKey = parseMetricKey(key);
    let type: MetricType | undefined;
    if (typeof parsedKey === 'string') {
      problems.push({ path: [key], message: parsedKey });
    } else {
      type = known[parsedKey.name]?.type;
      if (type === undefined && opts.requireKnown) {
        problems.push({ path: [key], message: `no metric named "${parsedKey.name}"` });
      }
      const identity = `${parsedKey.name}${tagSetKey(parsedKey.tags)}`;
      const previous = seenTagSets.get(identity);
      if (previous !== undefined) {
        problems.push({ path: [key], message: `"${key}" selects the same samples as "${previous}"; merge their thresholds` });
      }
      seenTagSets.set(identity, key);
    }
    if (!Array.isArray(list)) {
      problems.push({ path: [key], message: 'must be an array of threshold expressions or {threshold, abortOnFail, delayAbortEval}' });
      continue;
    }
    const out: ThresholdSpec[] = [];
    list.forEach((item: unknown, i) => {
      const spec = parseItem(item, [key, i], type, problems);
      if (spec) out.push(spec);
    });
    specs[key] = out;
  }
  return { specs, problems };
}

function parseItem(item: unknown, path: (string | number)[], type: MetricType | undefined, problems: ThresholdProblem[]): ThresholdSpec | undefined {
  let threshold: unknown = item;
  let abortOnFail: unknown = false;
  let delay: unknown = 0;
  if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
    const o = item as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (!['threshold', 'abortOnFail', 'delayAbortEval'].includes(k)) problems.push({ path: [...path, k], message: `unknown field "${k}"` });
    }
    threshold = o.threshold;
    abortOnFail = o.abortOnFail ?? false;
    delay = o.delayAbortEval ?? 0;
  }
  let ok = true;
  if (typeof threshold !== 'string') {
    problems.push({ path: typeof item === 'object' && item !== null ? [...path, 'threshold'] : path, message: 'threshold must be a string such as "p(95)<300"' });
    ok = false;
  } else {
    const parsed = parseExpression(threshold);
    if (typeof parsed === 'string') {
      problems.push({ path, message: parsed });
      ok = false;
    } else if (type !== undefined && !AGGREGATIONS_BY_TYPE[type].includes(parsed.aggregation)) {
      const name = parsed.aggregation === 'p' ? 'p(N)' : parsed.aggregation;
      problems.push({ path, message: `threshold "${threshold}": ${name} is not supported by a ${type} metric (use ${AGGREGATIONS_BY_TYPE[type].map((a) => (a === 'p' ? 'p(N)' : a)).join(', ')})` });
      ok = false;
    }
  }
  if (typeof abortOnFail !== 'boolean') {
    problems.push({ path: [...path, 'abortOnFail'], message: 'abortOnFail must be true or false' });
    ok = false;
  }
  const delayMs = parseDelay(delay);
  if (delayMs === undefined) {
    problems.push({ path: [...path, 'delayAbortEval'], message: `delayAbortEval "${String(delay)}" is not a duration like "10s" or "1m30s"` });
    ok = false;
  }
  return ok ? { threshold: threshold as string, abortOnFail: abortOnFail as boolean, delayAbortEvalMs: delayMs ?? 0 } : undefined;
}

/**
 * Compares as k6 does (`==` and `===` both mean numeric equality).
 * @param lhs the metric's aggregated value
 * @param op operator
 * @param rhs the threshold's number
 * @returns whether the threshold holds
 */
export function compare(lhs: number, op: Operator, rhs: number): boolean {
  switch (op) {
    case '<': return lhs < rhs;
    case '<=': return lhs <= rhs;
    case '>': return lhs > rhs;
    case '>=': return lhs >= rhs;
    case '==':
    case '===': return lhs === rhs;
    case '!=': return lhs !== rhs;
  }
}

/**
 * Whether an abort is due for a crossed threshold, as k6 decides it: only with abortOnFail, only once the elapsed
 * time is past `delayAbortEval` (strictly), and never on a metric with no samples yet (k6 skips empty sinks while
 * the test runs).
 * @param spec the threshold
 * @param ok whether it holds
 * @param elapsedMs time since the test started, ms
 * @param empty whether the metric (or sub-metric) has no samples
 * @returns true when the run should stop now
 */
export function abortDue(spec: ThresholdSpec, ok: boolean, elapsedMs: number, empty: boolean): boolean {
  return !ok && spec.abortOnFail && !empty && elapsedMs > spec.delayAbortEvalMs;
}
