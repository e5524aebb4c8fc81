/**
 * The optimized-placement section of the report, from a hand-made plan.json `optimized` section: the side-by-side
 * row, the routing table's words (whole DC, split shares, stranded), the what-if row with the p95 RTT changes, and
 * the same words in report.md and report.html.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computePlan } from '../../../cli/chain.ts';
import type { OptimizedPlacement } from '../../../models/capacity/optimize/result.ts';
import type { Plan } from '../../../models/types.ts';
import { renderHtml } from '../../../reports/render/html.ts';
import { renderMarkdown } from '../../../reports/render/markdown.ts';
import { buildReportModel } from '../../../reports/render/model.ts';
import { optimizedOf } from '../../../reports/render/optimized.ts';

const chartJs = readFileSync(join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js'), 'utf8');

const routing = {
  normal: { SG: { singapore: 1 }, US: { 'us-west-1': 0.25, 'us-west-2': 0.75 } },
  'loss:singapore': { SG: { 'us-west-1': 1 }, US: { 'us-west-2': 1 } },
};
const greedyRouting = { normal: { SG: { singapore: 1 }, US: { 'us-west-1': 1 } }, 'loss:singapore': { SG: { 'us-west-1': 1 }, US: { 'us-west-1': 1 } } };
const quarter = {
  quarter: '2015Q1', status: 'optimal', gap: 0, seconds: 0.25, opened: [], nodes: { singapore: 3, 'us-west-1': 3, 'us-west-2': 4 }, costPerMonth: 4000,
  latencyPenalty: 10, routing, stranded: { normal: [], 'loss:singapore': [] }, beyondBudget: { normal: [], 'loss:singapore': [] },
  p95RttMs: { SG: 7.5, US: 30.2 }, lossesSurvived: { survived: 1, of: 1 }, reserveNodes: 5, withinBudget: 2, savingPerMonth: 500,
  greedy: { nodes: { singapore: 3, 'us-west-1': 5, 'us-west-2': 2 }, costPerMonth: 4500, latencyPenalty: 10, routing: greedyRouting, stranded: { normal: [], 'loss:singapore': [] }, reserveNodes: 6, withinBudget: 2 },
};
const optimized: OptimizedPlacement = {
  intents: 'data/intents.json', solver: 'HiGHS', demand: 'p90', quarters: [quarter],
  whatIf: [{
    sites: ['mumbai'], firstOpened: { mumbai: '2015Q1' },
    quarters: [{ ...quarter, opened: ['mumbai'], costPerMonth: 4200, p95RttMs: { SG: 7.5, US: 30.2, IN: 37.7 }, deltaPerMonth: 200, penaltyDelta: -300 }],
  }],
};
const plan = { currency: 'USD', optimized } as unknown as Plan;

describe('optimized placement in the report', () => {
  it('compares the placements per quarter and words the routing of every scenario', () => {
    const s = optimizedOf(plan)!;
    expect(s.rows).toEqual([{ quarter: '2015Q1', greedyCost: 4500, optimizedCost: 4000, saving: 500, greedyReserve: 6, optimizedReserve: 5, greedyWithin: 2, optimizedWithin: 2, countries: 2, lossesSurvived: '1 of 1', solver: 'optimal, gap 0, 0.25 s' }]);
    expect(s.routing[0]).toEqual({ scenario: 'normal', rows: [{ country: 'SG', optimized: 'singapore', greedy: 'singapore' }, { country: 'US', optimized: 'us-west-2 75%, us-west-1 25%', greedy: 'us-west-1' }] });
    expect(s.whatIf[0]!.rows[0]).toMatchObject({ opened: 'mumbai', delta: 200, penaltyDelta: -300, reserve: 5, within: '2 of 2', rtt: 'unchanged' });
    expect(optimizedOf({ currency: 'USD' } as unknown as Plan)).toBeNull();
  });

  it('says the same in report.md and report.html', async () => {
    const m = buildReportModel({ plan: { ...(await computePlan({}, 1)), optimized } });
    const md = renderMarkdown(m);
    expect(md).toContain('| 2015Q1 | 4,500 | 4,000 | 500 | 6 / 5 | 2 / 2 of 2 | 1 of 1 | optimal, gap 0, 0.25 s |');
    expect(md).toContain('| US | us-west-2 75%, us-west-1 25% | us-west-1 |');
    expect(md).toContain('### What if: mumbai');
    const html = renderHtml(m, { chartJs });
    expect(html).toMatch(/<section id="optimized">/);
    expect(html).toContain('us-west-2 75%, us-west-1 25%');
  });
});
