/**
 * The one JUnit XML writer (the report and the gate use it): `<testsuites>` of `<testsuite>` of `<testcase>`, with
 * `<failure message type>` carrying the measured value and the limit. The shape is the one Jenkins (junit plugin),
 * GitLab (`artifacts:reports:junit`) and GitHub test reporters (dorny/test-reporter, mikepenz/action-junit-report)
 * read: counts on both `<testsuites>` and `<testsuite>`, times in seconds. Pure: data in, string out.
 * Also turns k6 thresholds (handleSummary `metrics.*.thresholds`) and budget results into test cases.
 */
import type { K6SummaryData } from '../../scenarios/engine/outputs/summary-schema.ts';

/** A failed (or errored) test case's detail. */
export interface JUnitProblem {
  /** One line: what was measured against what limit. */
  message: string;
  /** Kind, e.g. `threshold`, `budget`, `no-data`. */
  type: string;
  /** Longer text shown by CI systems under the message. */
  details?: string;
}

/** One test case. */
export interface JUnitCase {
  /** Dotted group, e.g. `k6.thresholds.singapore` (CI systems show it as the class / file). */
  classname: string;
  /** Case name, e.g. `http_req_duration{scenario:peak}: p(95)<300`. */
  name: string;
  /** Duration, seconds (default 0). */
  timeS?: number;
  /** Present when the case failed (an assertion did not hold). */
  failure?: JUnitProblem;
  /** Present when the case could not be evaluated (e.g. no data). */
  error?: JUnitProblem;
  /** Reason the case was skipped. */
  skipped?: string;
  /** Text for `<system-out>`. */
  systemOut?: string;
}

/** One test suite. */
export interface JUnitSuite {
  /** Suite name, e.g. `thresholds singapore`. */
  name: string;
  /** Its cases, in order. */
  cases: readonly JUnitCase[];
  /** Suite duration, seconds (default: sum of the cases). */
  timeS?: number;
  /** ISO 8601 start time without zone, as the JUnit schema asks (omitted when not given: output stays reproducible). */
  timestamp?: string;
  /** `<properties>` name -> value. */
  properties?: Readonly<Record<string, string>>;
}

// XML 1.0 allows only tab, LF, CR and chars from U+0020 (minus U+FFFE/U+FFFF and lone surrogates).
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Escapes text for XML content and attribute values (both quote kinds, so any attribute quoting is safe); characters
 * XML 1.0 cannot carry at all are replaced with U+FFFD rather than dropped silently.
 * @param s raw text
 * @returns escaped text
 * @example xmlEscape('a<b & "c"') // 'a&lt;b &amp; &quot;c&quot;'
 */
export function xmlEscape(s: string): string {
  return s.replace(INVALID_XML, '\uFFFD').replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;');
}

const attr = (name: string, v: string | number): string => ` ${name}="${xmlEscape(String(v))}"`;
const secs = (v: number | undefined): string => (Number.isFinite(v) ? Number(v).toFixed(3) : '0.000');

function renderCase(c: JUnitCase): string {
  const open = `    <testcase${attr('classname', c.classname)}${attr('name', c.name)}${attr('time', secs(c.timeS))}`;
  const body: string[] = [];
  const problem = (tag: string, p: JUnitProblem): string =>
    `      <${tag}${attr('message', p.message)}${attr('type', p.type)}>${xmlEscape(p.details ?? p.message)}</${tag}>`;
  if (c.failure) body.push(problem('failure', c.failure));
  if (c.error) body.push(problem('error', c.error));
  if (c.skipped !== undefined) body.push(`      <skipped${attr('message', c.skipped)}/>`);
  if (c.systemOut !== undefined) body.push(`      <system-out>${xmlEscape(c.systemOut)}</system-out>`);
  return body.length === 0 ? `${open}/>` : `${open}>\n${body.join('\n')}\n    </testcase>`;
}

/** Counts of a set of cases. */
function counts(cases: readonly JUnitCase[]): { tests: number; failures: number; errors: number; skipped: number; time: number } {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.failure).length,
    errors: cases.filter((c) => !c.failure && c.error).length,
    skipped: cases.filter((c) => !c.failure && !c.error && c.skipped !== undefined).length,
    time: cases.reduce((s, c) => s + (Number.isFinite(c.timeS) ? c.timeS! : 0), 0),
  };
}

/**
 * Renders suites as one JUnit XML document.
 * @param suites the suites (an empty list gives an empty `<testsuites>`, which CI systems accept)
 * @param name name of the `<testsuites>` element (default `caplab`)
 * @returns XML text with a declaration and a trailing newline
 * @example renderJUnit([{ name: 'thresholds', cases: [{ classname: 'k6', name: 'rate<0.01' }] }])
 */
export function renderJUnit(suites: readonly JUnitSuite[], name = 'caplab'): string {
  const all = suites.flatMap((s) => s.cases);
  const t = counts(all);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attr('name', name)}${attr('tests', t.tests)}${attr('failures', t.failures)}${attr('errors', t.errors)}${attr('skipped', t.skipped)}${attr('time', secs(suites.reduce((s, x) => s + (x.timeS ?? counts(x.cases).time), 0)))}>`];
  suites.forEach((s, i) => {
    const c = counts(s.cases);
    const head = `  <testsuite${attr('name', s.name)}${attr('id', i)}${attr('tests', c.tests)}${attr('failures', c.failures)}${attr('errors', c.errors)}${attr('skipped', c.skipped)}${attr('time', secs(s.timeS ?? c.time))}${s.timestamp ? attr('timestamp', s.timestamp) : ''}`;
    const props = s.properties && Object.keys(s.properties).length > 0
      ? [`    <properties>`, ...Object.entries(s.properties).map(([k, v]) => `      <property${attr('name', k)}${attr('value', v)}/>`), `    </properties>`]
      : [];
    if (s.cases.length === 0 && props.length === 0) out.push(`${head}/>`);
    else out.push(`${head}>`, ...props, ...s.cases.map(renderCase), '  </testsuite>');
  });
  out.push('</testsuites>', '');
  return out.join('\n');
}

/** A threshold expression split into aggregation, operator and limit. */
export interface ParsedThreshold {
  /** Aggregation as k6 names it: `p(95)`, `avg`, `rate`, `count`, `value`, ... */
  aggregation: string;
  /** Comparison operator. */
  op: string;
  /** The limit. */
  limit: number;
}

/**
 * Splits a k6 threshold expression (`p(95)<300`, `rate < 0.01`, `count>=100`).
 * @param expr the expression
 * @returns its parts, or undefined when it is not of that form
 * @example parseThresholdExpr('p(95)<300') // { aggregation: 'p(95)', op: '<', limit: 300 }
 */
export function parseThresholdExpr(expr: string): ParsedThreshold | undefined {
  const m = /^\s*(avg|min|max|med|count|rate|value|p\(\s*\d+(?:\.\d+)?\s*\))\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)\s*$/i.exec(expr);
  if (!m) return undefined;
  return { aggregation: m[1]!.replace(/\s+/g, ''), op: m[2]!, limit: Number(m[3]) };
}

/**
 * The measured value a threshold compares, read from a handleSummary metric's values (k6 reports a gauge's `value`
 * and a rate's `rate`; a trend only the stats of summaryTrendStats, so `p(99)` may be missing).
 * @param values the metric's `values`
 * @param aggregation from {@link parseThresholdExpr}
 * @returns the value, or undefined when the summary does not report it
 */
export function measuredFor(values: Readonly<Record<string, number>>, aggregation: string): number | undefined {
  const v = values[aggregation] ?? (aggregation === 'med' ? values['p(50)'] : undefined);
  return typeof v === 'number' ? v : undefined;
}

/**
 * One test case per threshold of a handleSummary object (`metrics.<key>.thresholds.<expr>.ok`); a crossed one fails
 * with the measured value and the limit.
 * @param summary handleSummary data (ours or real k6's)
 * @param classname class of the cases, e.g. `k6.thresholds.singapore`
 * @returns the cases, metric keys and expressions in the summary's order
 * @example thresholdCases(summary, 'k6.thresholds')[0].name // 'http_req_duration: avg<1000'
 */
export function thresholdCases(summary: Pick<K6SummaryData, 'metrics'>, classname: string): JUnitCase[] {
  const out: JUnitCase[] = [];
  for (const [key, m] of Object.entries(summary.metrics)) {
    for (const [expr, t] of Object.entries(m.thresholds ?? {})) {
      const c: JUnitCase = { classname, name: `${key}: ${expr}` };
      if (!t.ok) {
        const p = parseThresholdExpr(expr);
        const v = p ? measuredFor(m.values, p.aggregation) : undefined;
        const measured = v === undefined ? 'not in the summary' : String(Math.round(v * 1000) / 1000);
        c.failure = {
          type: 'threshold',
          message: p ? `${key} ${p.aggregation} = ${measured}, limit ${p.op} ${p.limit}` : `${key}: ${expr} crossed`,
          details: `threshold "${expr}" on ${key} was crossed; values: ${JSON.stringify(m.values)}`,
        };
      }
      out.push(c);
    }
  }
  return out;
}

/** The outcome of one budget limit for one service in one DC. */
export interface BudgetResult {
  /** Service name. */
  service: string;
  /** Data center. */
  dc: string;
  /** Which limit: `p95`, `p99`, `serverP95`, `serverP99`, `errorRate`, `droppedIterations`. */
  limit: string;
  /** Measured value (ms for latencies, ratio for errorRate, count for dropped), or null when nothing was measured. */
  measured: number | null;
  /** The budget's limit in the same unit. */
  max: number;
  /** Unit of both values. */
  unit: 'ms' | 'ratio' | 'count';
  /** True when the budget holds. */
  ok: boolean;
}

const fmtUnit = (v: number, unit: BudgetResult['unit']): string =>
  unit === 'ms' ? `${Math.round(v * 1000) / 1000} ms` : unit === 'ratio' ? `${Math.round(v * 1e6) / 1e4}%` : String(v);

/**
 * One test case per budget result; a broken budget fails with the measured value and the limit, a budget with
 * nothing measured is an error (it could not be judged).
 * @param results budget outcomes
 * @param classnamePrefix class prefix, the DC is appended (default `caplab.budgets`)
 * @returns the cases in input order
 * @example budgetCases([{ service: 'contacts', dc: 'singapore', limit: 'p95', measured: 320, max: 300, unit: 'ms', ok: false }])
 */
export function budgetCases(results: readonly BudgetResult[], classnamePrefix = 'caplab.budgets'): JUnitCase[] {
  return results.map((r) => {
    const c: JUnitCase = { classname: `${classnamePrefix}.${r.dc}`, name: `${r.service} ${r.limit} ${r.unit === 'count' ? '<=' : '<'} ${fmtUnit(r.max, r.unit)}` };
    if (r.measured === null) {
      c.error = { type: 'no-data', message: `${r.service} in ${r.dc}: no ${r.limit} measured (limit ${fmtUnit(r.max, r.unit)})` };
    } else if (!r.ok) {
      c.failure = {
        type: 'budget',
        message: `${r.service} in ${r.dc}: ${r.limit} = ${fmtUnit(r.measured, r.unit)}, limit ${fmtUnit(r.max, r.unit)}`,
      };
    }
    return c;
  });
}
