/**
 * caplab's end-of-test text summary as plain JavaScript source, for embedding in generated k6 scripts (their
 * handleSummary prints it; no remote jslib import, since CI runners may be offline).
 *
 * Why a twin instead of serialising `textSummary` with Function.prototype.toString: under tsx/esbuild the compiled
 * functions may carry injected helpers (`__name(...)`) and type-stripped artefacts that do not exist inside k6, and the
 * printer spans several private helpers. So this is a line-for-line JavaScript port of
 * scenarios/engine/outputs/text-summary.ts, and test/scenarios/k6/summary-js.test.ts checks that both print the
 * same text for the same data (colours on and off, every metric type, thresholds, nested groups, time units).
 * Any change to text-summary.ts must be mirrored here; that test fails until it is.
 */

/** Name of the function the embedded source defines: `caplabTextSummary(data, { colors })` returns the text. */
export const TEXT_SUMMARY_FUNCTION = 'caplabTextSummary';

/**
 * ES2017-compatible JavaScript (runs in k6's goja/sobek and in Node) defining {@link TEXT_SUMMARY_FUNCTION} and its
 * private helpers, all prefixed `caplabTs` so they cannot clash with the rest of a generated script. JSDoc types
 * let `tsc --checkJs` check it against @types/k6 inside the generated script.
 */
export const TEXT_SUMMARY_JS = String.raw`
// ---- caplab text summary (a port of scenarios/engine/outputs/text-summary.ts; keep the two identical) ----
/** @param {number} value @param {number} digits */
function caplabTsFixed(value, digits) {
  return String(Number(value.toFixed(digits)));
}

/** @param {number} value @param {number} digits */
function caplabTsFixedTrunc(value, digits) {
  const m = Math.pow(10, digits);
  return caplabTsFixed(Math.trunc(value * m) / m, digits);
}

/** @param {number} ms @param {string} unit */
function caplabTsDuration(ms, unit) {
  if (unit === 's') return (ms / 1000).toFixed(2) + 's';
  if (unit === 'ms') return ms.toFixed(2) + 'ms';
  if (unit === 'us') return (ms * 1000).toFixed(2) + '\u00b5s';
  if (ms === 0) return '0s';
  if (Math.abs(ms) < 0.001) return Math.trunc(ms * 1e6) + 'ns';
  if (Math.abs(ms) < 1) return caplabTsFixedTrunc(ms * 1000, 2) + '\u00b5s';
  if (Math.abs(ms) < 1000) return caplabTsFixedTrunc(ms, 2) + 'ms';
  let out = caplabTsFixedTrunc((ms % 60000) / 1000, ms > 60000 ? 0 : 2) + 's';
  let rest = Math.trunc(ms / 60000);
  if (rest < 1) return out;
  out = (rest % 60) + 'm' + out;
  rest = Math.trunc(rest / 60);
  return rest < 1 ? out : rest + 'h' + out;
}

/** @param {number} bytes */
function caplabTsBytes(bytes) {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  if (bytes < 10) return caplabTsFixed(bytes, 2) + ' B';
  const e = Math.min(Math.floor(Math.log(bytes) / Math.log(1000)), units.length - 1);
  const v = Math.floor((bytes / Math.pow(1000, e)) * 10 + 0.5) / 10;
  return v.toFixed(v < 10 ? 1 : 0) + ' ' + units[e];
}

/** @param {number} value @param {{type: string, contains: string}} m @param {string} unit */
function caplabTsHumanize(value, m, unit) {
  if (m.type === 'rate') return (Math.trunc(value * 10000) / 100).toFixed(2) + '%';
  if (m.contains === 'data') return caplabTsBytes(value);
  if (m.contains === 'time') return caplabTsDuration(value, unit);
  return caplabTsFixed(value, 6);
}

/** @param {string} text */
function caplabTsWidth(text) {
  return Array.from(text).length;
}

/** @param {string} key */
function caplabTsDisplayName(key) {
  const at = key.indexOf('{');
  return at < 0 ? key : '{ ' + key.slice(at + 1, -1) + ' }';
}

/** @param {string} a @param {string} b */
function caplabTsByParentThenSub(a, b) {
  const pa = a.split('{', 1)[0];
  const pb = b.split('{', 1)[0];
  if (pa !== pb) return pa < pb ? -1 : 1;
  const sa = a.slice(pa.length);
  const sb = b.slice(pb.length);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/**
 * @param {{type: string, contains: string, values: Record<string, number>}} m
 * @param {string[]} stats @param {string} unit @returns {string[]}
 */
function caplabTsColumns(m, stats, unit) {
  const v = m.values;
  /** @param {string} k */
  const get = (k) => (v[k] === undefined || v[k] === null ? 0 : v[k]);
  switch (m.type) {
    case 'trend':
      return stats.map((s) => (s === 'count' ? String(get(s)) : caplabTsHumanize(get(s), m, unit)));
    case 'counter':
      return [caplabTsHumanize(get('count'), m, unit), caplabTsHumanize(get('rate'), m, unit) + '/s'];
    case 'gauge':
      return [caplabTsHumanize(get('value'), m, unit), 'min=' + caplabTsHumanize(get('min'), m, unit), 'max=' + caplabTsHumanize(get('max'), m, unit)];
    default:
      return [caplabTsHumanize(get('rate'), m, unit), '\u2713 ' + get('passes'), '\u2717 ' + get('fails')];
  }
}

/**
 * @typedef {{name: string, passes: number, fails: number}} CaplabTsCheck
 * @typedef {{name: string, checks: CaplabTsCheck[], groups: CaplabTsGroup[]}} CaplabTsGroup
 * @typedef {(text: string, ...codes: string[]) => string} CaplabTsPaint
 */

/** @param {string} indent @param {CaplabTsGroup} g @param {CaplabTsPaint} paint @returns {string[]} */
function caplabTsGroup(indent, g, paint) {
  /** @type {string[]} */
  const out = [];
  let inner = indent;
  if (g.name !== '') {
    out.push(indent + '\u2588 ' + g.name, '');
    inner = indent + '  ';
  }
  for (const c of g.checks) {
    if (c.fails === 0) {
      out.push(paint(inner + '\u2713 ' + c.name, '32'));
    } else {
      const pct = Math.floor((100 * c.passes) / (c.passes + c.fails));
      out.push(paint(inner + '\u2717 ' + c.name + '\n' + inner + ' \u21b3  ' + pct + '% \u2014 \u2713 ' + c.passes + ' / \u2717 ' + c.fails, '31'));
    }
  }
  if (g.checks.length > 0) out.push('');
  for (const sub of g.groups) out.push.apply(out, caplabTsGroup(inner, sub, paint));
  return out;
}

/**
 * caplab's end-of-test summary (k6's legacy layout) of a handleSummary data object.
 * @param {{root_group: CaplabTsGroup, options: {summaryTrendStats: string[], summaryTimeUnit?: string}, metrics: Record<string, {type: string, contains: string, values: Record<string, number>, thresholds?: Record<string, {ok: boolean}>}>}} data
 * @param {{colors: boolean}} opts
 * @returns {string}
 */
function caplabTextSummary(data, opts) {
  /** @type {CaplabTsPaint} */
  const paint = opts.colors
    ? (text, ...codes) => '\u001b[' + codes.join(';') + 'm' + text + '\u001b[0m'
    : (text) => text;
  const stats = data.options.summaryTrendStats;
  const unit = data.options.summaryTimeUnit || '';
  const lines = caplabTsGroup('     ', data.root_group, paint);
  const names = Object.keys(data.metrics).sort(caplabTsByParentThenSub);
  /** @type {Record<string, string[]>} */
  const cols = {};
  for (const n of names) cols[n] = caplabTsColumns(data.metrics[n], stats, unit);
  let nameMax = 0;
  for (const n of names) nameMax = Math.max(nameMax, caplabTsWidth((n.indexOf('{') >= 0 ? '  ' : '') + caplabTsDisplayName(n)));
  /** @type {number[]} */
  const trendW = stats.map(() => 0);
  /** @type {number[]} */
  const otherW = [0, 0, 0];
  for (const n of names) {
    const w = data.metrics[n].type === 'trend' ? trendW : otherW;
    cols[n].forEach((c, i) => { w[i] = Math.max(w[i] || 0, caplabTsWidth(c)); });
  }
  for (const n of names) {
    const m = data.metrics[n];
    const th = m.thresholds ? Object.keys(m.thresholds).map((k) => /** @type {{ok: boolean}} */ (m.thresholds && m.thresholds[k])) : [];
    const failed = th.some((t) => !t.ok);
    const mark = th.length === 0 ? ' ' : paint(failed ? '\u2717' : '\u2713', failed ? '31' : '32');
    const indent = n.indexOf('{') >= 0 ? '  ' : '';
    const name = caplabTsDisplayName(n);
    const dots = paint('.'.repeat(nameMax - caplabTsWidth(name) - caplabTsWidth(indent) + 3) + ':', '2');
    const c = cols[n];
    let body;
    if (m.type === 'trend') {
      body = c.map((v, i) => stats[i] + '=' + paint(v, '36') + ' '.repeat((trendW[i] || 0) - caplabTsWidth(v))).join(' ');
    } else {
      body = c.map((v, i) => {
        const pad = ' '.repeat((otherW[i] || 0) - caplabTsWidth(v));
        return i === 0 ? paint(v, '36') + pad : paint(v, '36', '2') + (c.length > 2 ? pad : '');
      }).join(' ');
    }
    lines.push(('   ' + indent + mark + ' ' + name + dots + ' ' + body).trimEnd());
  }
  return '\n' + lines.join('\n') + '\n\n';
}
// ---- end of caplab text summary ----
`;
