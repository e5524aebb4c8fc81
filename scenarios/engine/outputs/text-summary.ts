/**
 * The end-of-test text summary, laid out like k6's (the legacy summary of k6 0.3x-0.5x that CI logs are full of):
 * groups (█) and checks (✓/✗ with pass percentages), then one line per metric sorted by name with sub-metrics under
 * their parent, dotted to a common column, a ✓/✗ mark on thresholded metrics, trend stats per summaryTrendStats,
 * times humanised (µs/ms/s/1m2s), bytes in kB/MB, rates in %. A pure function of the handleSummary object.
 */
import type { K6Check, K6Group, K6SummaryData, K6SummaryMetric } from './summary-schema.ts';

const OK = '✓';
const FAIL = '✗';
const COLOR = { faint: '2', red: '31', green: '32', cyan: '36' } as const;

type Paint = (text: string, ...codes: string[]) => string;

/** Formats a number with at most `digits` decimals, dropping trailing zeros (k6's toFixedNoTrailingZeros). */
function fixed(value: number, digits: number): string {
  return String(Number(value.toFixed(digits)));
}

/** Like {@link fixed} but truncating, as k6 does for durations. */
function fixedTrunc(value: number, digits: number): string {
  const m = 10 ** digits;
  return fixed(Math.trunc(value * m) / m, digits);
}

/**
 * Humanises a duration in ms the way k6 does (`0s`, `850ns`, `12.5µs`, `3.2ms`, `1.5s`, `2m30s`, `1h2m3s`).
 * @param ms duration, ms
 * @param unit k6 summaryTimeUnit (`''`, `s`, `ms`, `us`); a fixed unit prints 2 decimals in it
 * @returns text
 */
export function humanizeDuration(ms: number, unit = ''): string {
  if (unit === 's') return `${(ms / 1000).toFixed(2)}s`;
  if (unit === 'ms') return `${ms.toFixed(2)}ms`;
  if (unit === 'us') return `${(ms * 1000).toFixed(2)}µs`;
  if (ms === 0) return '0s';
  if (Math.abs(ms) < 0.001) return `${Math.trunc(ms * 1e6)}ns`;
  if (Math.abs(ms) < 1) return `${fixedTrunc(ms * 1000, 2)}µs`;
  if (Math.abs(ms) < 1000) return `${fixedTrunc(ms, 2)}ms`;
  let out = `${fixedTrunc((ms % 60_000) / 1000, ms > 60_000 ? 0 : 2)}s`;
  let rest = Math.trunc(ms / 60_000);
  if (rest < 1) return out;
  out = `${rest % 60}m${out}`;
  rest = Math.trunc(rest / 60);
  return rest < 1 ? out : `${rest}h${out}`;
}

/**
 * Humanises a byte count in decimal units as k6 does (`9 B`, `1.3 MB`, `31 kB`).
 * @param bytes byte count
 * @returns text
 */
export function humanizeBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  if (bytes < 10) return `${fixed(bytes, 2)} B`;
  const e = Math.min(Math.floor(Math.log(bytes) / Math.log(1000)), units.length - 1);
  const v = Math.floor((bytes / 1000 ** e) * 10 + 0.5) / 10;
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[e]}`;
}

function humanize(value: number, m: K6SummaryMetric, unit: string): string {
  if (m.type === 'rate') return `${(Math.trunc(value * 10_000) / 100).toFixed(2)}%`;
  if (m.contains === 'data') return humanizeBytes(value);
  if (m.contains === 'time') return humanizeDuration(value, unit);
  return fixed(value, 6);
}

function summarizeCheck(indent: string, c: K6Check, paint: Paint): string[] {
  if (c.fails === 0) return [paint(`${indent}${OK} ${c.name}`, COLOR.green)];
  const pct = Math.floor((100 * c.passes) / (c.passes + c.fails));
  return [paint(`${indent}${FAIL} ${c.name}\n${indent} ↳  ${pct}% — ${OK} ${c.passes} / ${FAIL} ${c.fails}`, COLOR.red)];
}

function summarizeGroup(indent: string, g: K6Group, paint: Paint): string[] {
  const out: string[] = [];
  let inner = indent;
  if (g.name !== '') {
    out.push(`${indent}█ ${g.name}`, '');
    inner = `${indent}  `;
  }
  for (const c of g.checks) out.push(...summarizeCheck(inner, c, paint));
  if (g.checks.length > 0) out.push('');
  for (const sub of g.groups) out.push(...summarizeGroup(inner, sub, paint));
  return out;
}

function displayName(key: string): string {
  const at = key.indexOf('{');
  return at < 0 ? key : `{ ${key.slice(at + 1, -1)} }`;
}

function byParentThenSub(a: string, b: string): number {
  const pa = a.split('{', 1)[0]!;
  const pb = b.split('{', 1)[0]!;
  if (pa !== pb) return pa < pb ? -1 : 1;
  const sa = a.slice(pa.length);
  const sb = b.slice(pb.length);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function width(text: string): number {
  return [...text].length;
}

/** Columns of one metric line: the main value and extras (non-trend), or one column per trend stat. */
function columns(m: K6SummaryMetric, stats: readonly string[], unit: string): string[] {
  const v = m.values;
  switch (m.type) {
    case 'trend':
      return stats.map((s) => (s === 'count' ? String(v[s] ?? 0) : humanize(v[s] ?? 0, m, unit)));
    case 'counter':
      return [humanize(v.count ?? 0, m, unit), `${humanize(v.rate ?? 0, m, unit)}/s`];
    case 'gauge':
      return [humanize(v.value ?? 0, m, unit), `min=${humanize(v.min ?? 0, m, unit)}`, `max=${humanize(v.max ?? 0, m, unit)}`];
    case 'rate':
      return [humanize(v.rate ?? 0, m, unit), `${OK} ${v.passes ?? 0}`, `${FAIL} ${v.fails ?? 0}`];
  }
}

/**
 * Renders the end-of-test summary text.
 * @param data handleSummary data (ours or real k6's)
 * @param opts `colors`: ANSI colours (k6: on unless noColor or not a TTY)
 * @returns the text, starting and ending with a newline like k6's
 * @example process.stdout.write(textSummary(data, { colors: false }))
 */
export function textSummary(data: K6SummaryData, opts: { colors: boolean }): string {
  const paint: Paint = opts.colors ? (text, ...codes) => `\x1b[${codes.join(';')}m${text}\x1b[0m` : (text) => text;
  const stats = data.options.summaryTrendStats;
  const unit = data.options.summaryTimeUnit ?? '';
  const lines = summarizeGroup('     ', data.root_group, paint);
  const names = Object.keys(data.metrics).sort(byParentThenSub);
  const cols = new Map(names.map((n) => [n, columns(data.metrics[n]!, stats, unit)]));
  const nameMax = Math.max(0, ...names.map((n) => width((n.includes('{') ? '  ' : '') + displayName(n))));
  // Column widths are shared by trends (per stat) and by non-trends (main value, then each extra).
  const trendW: number[] = stats.map(() => 0);
  const otherW: number[] = [0, 0, 0];
  for (const n of names) {
    const w = data.metrics[n]!.type === 'trend' ? trendW : otherW;
    cols.get(n)!.forEach((c, i) => { w[i] = Math.max(w[i] ?? 0, width(c)); });
  }
  for (const n of names) {
    const m = data.metrics[n]!;
    const th = m.thresholds ? Object.values(m.thresholds) : [];
    const failed = th.some((t) => !t.ok);
    const mark = th.length === 0 ? ' ' : paint(failed ? FAIL : OK, failed ? COLOR.red : COLOR.green);
    const indent = n.includes('{') ? '  ' : '';
    const name = displayName(n);
    const dots = paint(`${'.'.repeat(nameMax - width(name) - width(indent) + 3)}:`, COLOR.faint);
    const c = cols.get(n)!;
    let body: string;
    if (m.type === 'trend') {
      body = c.map((v, i) => `${stats[i]}=${paint(v, COLOR.cyan)}${' '.repeat((trendW[i] ?? 0) - width(v))}`).join(' ');
    } else {
      body = c.map((v, i) => {
        const pad = ' '.repeat((otherW[i] ?? 0) - width(v));
        return i === 0 ? `${paint(v, COLOR.cyan)}${pad}` : `${paint(v, COLOR.cyan, COLOR.faint)}${c.length > 2 ? pad : ''}`;
      }).join(' ');
    }
    lines.push(`   ${indent}${mark} ${name}${dots} ${body}`.trimEnd());
  }
  return `\n${lines.join('\n')}\n\n`;
}
