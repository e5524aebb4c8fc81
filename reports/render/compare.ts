/**
 * Renders a run comparison (reports/compare.ts) as GitHub-flavoured Markdown (compare.md, also printed by
 * `caplab compare`) and as a self-contained HTML page (compare.html: tables only, no script, no network). Pure.
 */
import type { Comparison, MetricComparison } from '../compare.ts';
import { int, ms, NONE, num, pct, signedPct } from './format.ts';
import { table } from './html/blocks.ts';
import { esc } from './html/escape.ts';
import { REPORT_CSS } from './html/styles.ts';
import { mdTable } from './markdown.ts';

const LABEL: Record<MetricComparison['metric'], string> = {
  p95: 'p95 latency', p99: 'p99 latency', rps: 'requests/s', errorRate: 'error rate', capacityPerNode: 'capacity per node', nodesNeeded: 'nodes needed (last quarter)',
};

function value(v: number | null, unit: MetricComparison['unit']): string {
  if (v === null) return NONE;
  return unit === 'ms' ? ms(v) : unit === 'ratio' ? pct(v) : unit === 'nodes' ? int(v) : num(v);
}

function band(r: MetricComparison): string {
  const n = r.noise;
  if (!n) return NONE;
  if (n.method === 'exact') return 'exact (plan)';
  const f = n.kind === 'absolute' ? (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)} pp` : signedPct;
  return `${f(n.low)} … ${f(n.high)} (${n.method})`;
}

const ICON: Record<MetricComparison['verdict'], string> = { regression: '❌ regression', improvement: '✅ improvement', 'no change': 'no change', 'n/a': 'n/a' };

function rows(c: Comparison): string[][] {
  return c.rows.map((r) => [r.dc, LABEL[r.metric], value(r.baseline, r.unit), value(r.candidate, r.unit), signedPct(r.change), band(r), ICON[r.verdict]]);
}

const HEADER = ['DC', 'metric', 'baseline', 'candidate', 'change', 'noise band', 'verdict'];

function headline(c: Comparison): string {
  const s = c.summary;
  return `${s.regressions} regression${s.regressions === 1 ? '' : 's'}, ${s.improvements} improvement${s.improvements === 1 ? '' : 's'}, ${s.unchanged} unchanged, ${s.notComparable} not comparable`;
}

/**
 * Renders the comparison as Markdown.
 * @param c comparison
 * @returns Markdown with a trailing newline
 * @example renderCompareMarkdown(compareRuns(a, b, { seed: 1 }))
 */
export function renderCompareMarkdown(c: Comparison): string {
  return [
    `# Run comparison: ${c.candidate} vs ${c.baseline}`, '',
    `**${headline(c)}.** Noise band: ${Math.round(c.level * 100)}% bootstrap interval of the change over per-window figures (${c.resamples} resamples, seed ${c.seed}).`, '',
    mdTable(HEADER, rows(c)), '',
  ].join('\n');
}

/**
 * Renders the comparison as one self-contained HTML page.
 * @param c comparison
 * @returns the HTML document
 */
export function renderCompareHtml(c: Comparison): string {
  const cells = c.rows.map((r, i) => rows(c)[i]!.map((text, j) => (j === 6 ? { text, cls: r.verdict === 'regression' ? 'bad' : r.verdict === 'improvement' ? 'ok' : '' } : text)));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${esc(`Run comparison: ${c.candidate} vs ${c.baseline}`)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header><h1>Run comparison</h1><p class="lead">Candidate <b>${esc(c.candidate)}</b> against baseline <b>${esc(c.baseline)}</b>: ${esc(headline(c))}.</p></header>
<main>
${table(`Per data center and metric; noise band: ${Math.round(c.level * 100)}% bootstrap interval over per-window figures (${c.resamples} resamples, seed ${c.seed})`, HEADER, cells, 'comparison-table')}
<p class="lead">A change is a regression or an improvement only when its noise interval excludes zero and it exceeds 2% (0.1 percentage points for the error rate). Plan figures are compared exactly.</p>
</main>
</body>
</html>
`;
}
