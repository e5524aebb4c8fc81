/**
 * Report section of the load results per data center: overview, throughput vs concurrency with the fitted USL curve
 * and N*, latency percentiles per probe step, the open-model rate sweep (p95 as k6 times it and corrected for
 * coordinated omission), and over the run's time requests/s, VUs, p95/p99 and errors per window (as k6's and
 * Gatling's dashboards show them). Each chart has its table. Pure.
 */
import { int, ms, NONE, num, pct } from '../format.ts';
import type { LoadSection, ReportModel } from '../model.ts';
import { absent, figure, table } from './blocks.ts';
import { esc } from './escape.ts';

function dcLoad(l: LoadSection): string {
  const o = l.overview;
  const src = [l.hasSummary ? 'summary.json' : '', l.hasPoints ? 'points.ndjson' : ''].filter((x) => x !== '').join(' + ');
  let out = `<section class="dc" id="load-${esc(l.dc)}"><h3>${esc(l.dc)} <span class="tag measured">measured</span></h3>` +
    table(`Whole run (from ${src || 'nothing'})`, ['requests', 'requests/s', 'p95', 'p99', 'error rate', 'dropped iterations', 'duration'],
      [[int(o.requests), num(o.rps), ms(o.p95), ms(o.p99), pct(o.errorRate), int(o.dropped), o.durationS === null ? NONE : `${num(o.durationS)} s`]]);
  if (l.usl) {
    const u = l.usl;
    const fitted = new Map(l.steps.map((s) => [s.concurrency, s]));
    const t = table('Throughput per concurrency step: measured and USL fit', ['N', 'measured req/s', 'USL req/s', 'p95', 'errors'],
      u.points.map((p) => {
        const s = fitted.get(p.n);
        const x = u.lambda * p.n / (1 + u.sigma * (p.n - 1) + u.kappa * p.n * (p.n - 1));
        return [num(p.n, 0), num(p.x), num(x), ms(s?.p95), pct(s?.errorRate)];
      }));
    const cap = `USL fit: σ ${u.sigma.toPrecision(3)}, κ ${u.kappa.toPrecision(3)}, λ ${num(u.lambda)} req/s, r² ${u.r2.toFixed(3)}; ` +
      (u.nStar !== null ? `peak ${num(u.xMax)} req/s at N* = ${num(u.nStar)}.` : `no retrograde region (κ = 0): throughput approaches ${u.xMax === null ? 'no limit' : `${num(u.xMax)} req/s`}.`);
    out += figure(`usl:${l.dc}`, `Throughput vs concurrency for ${l.dc} with the fitted USL curve`, cap, t, true);
  } else {
    out += absent(l.uslNote ?? 'no probe steps');
  }
  if (l.steps.length > 0) {
    const t = table('Latency per probe step (http_req_duration)', ['step', 'requests', 'req/s', 'p50', 'p90', 'p95', 'p99', 'errors'],
      l.steps.map((s) => [s.step, int(s.requests), num(s.throughput), ms(s.p50), ms(s.p90), ms(s.p95), ms(s.p99), pct(s.errorRate)]));
    out += figure(`steps:${l.dc}`, `Latency percentiles per step for ${l.dc}`, 'Latency percentiles per probe step (tag step:N).', t, true);
  }
  if (l.rates.length > 0) {
    const b = l.budgetP95Ms;
    const t = table('Open-model rate sweep (tag rate:R)', ['offered rate/s', 'requests', 'p95 (k6)', 'p95 corrected', 'dropped', 'errors', ...(b === null ? [] : [`within ${ms(b)}`])],
      l.rates.map((r) => {
        const p = r.p95Corrected ?? r.p95;
        const within = b === null ? [] : [p !== null && p <= b && r.dropped === 0 ? { text: 'yes', cls: 'ok' } : { text: 'no', cls: 'bad' }];
        return [num(r.rate), int(r.requests), ms(r.p95), ms(r.p95Corrected), int(r.dropped), pct(r.errorRate), ...within];
      }));
    const slo = b === null ? 'No server-side budget in plan.json for this DC.'
      : l.sloRate === null ? `No swept rate meets the ${ms(b)} server-side p95 budget.` : `Highest rate within the ${ms(b)} server-side p95 budget with nothing dropped: ${num(l.sloRate)}/s.`;
    out += figure(`sweep:${l.dc}`, `Rate sweep for ${l.dc}: p95 and corrected p95 against the budget`,
      `p95 as k6 times it (from the send) and corrected for coordinated omission (from the intended start), per offered rate${b === null ? '' : ', and the budget (dotted)'}. ${slo}`, t, true);
  }
  if (l.windows.length > 0) {
    const t = table(`Per ${l.windowS}-second window (seconds since the first point)`, ['t (s)', 'requests/s', 'VUs', 'p50', 'p95', 'p99', 'errors', 'error rate', 'dropped'],
      l.windows.map((w) => [num(w.t, 0), num(w.rps), w.vus === null ? NONE : int(w.vus), ms(w.p50), ms(w.p95), ms(w.p99), int(w.errors), pct(w.errorRate), int(w.dropped)]));
    out += figure(`rps:${l.dc}`, `Requests per second and active VUs over time for ${l.dc}`, `Requests/s, VUs and dropped iterations per ${l.windowS}-second window.`, '') +
      figure(`latency:${l.dc}`, `p95 and p99 latency and errors over time for ${l.dc}`, `p95/p99 latency and error rate per ${l.windowS}-second window.`, t);
  } else {
    out += absent('no points.ndjson for this data center: per-window charts need k6 --out json points');
  }
  return `${out}</section>`;
}

/**
 * The load results of every DC.
 * @param m view model
 * @returns HTML of the section
 */
export function loadSection(m: ReportModel): string {
  const head = '<section id="load"><h2>Load results per data center</h2>';
  if (m.load.length === 0) return `${head}${absent(m.missing.load ?? 'no results')}</section>`;
  return `${head}<p class="lead">Measured on one node per data center: the closed-model probe (concurrency steps) gives the USL ceiling and N*; the open-model sweep gives the rate at the SLO.</p>${m.load.map(dcLoad).join('\n')}</section>`;
}
