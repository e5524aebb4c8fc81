/**
 * The fleet check on the report's first screen, in both reports: the sentence comes first under the recommendation's
 * heading, says agreement plainly and a disagreement with its factor, and nothing is shown for a plan without a check.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fleetCheck } from '../../../models/capacity/fleet-check.ts';
import { renderHtml } from '../../../reports/render/html.ts';
import { renderMarkdown } from '../../../reports/render/markdown.ts';
import { buildReportModel } from '../../../reports/render/model.ts';
import { campaignFixture } from './fixtures.ts';

const chartJs = readFileSync(join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
const model = { peakRps: { beijing: { p50: 100_000, p90: 160_000 } }, devices: { p10: 8, p50: 10, p90: 16 } };

describe('the fleet check on the first screen', () => {
  it('a fleet below the model\'s interval (1.6x): flagged with the factor, before the table', async () => {
    const c = await campaignFixture();
    // 420 nodes x 300 req/s (Beijing's measured rate in the fixture) x 0.5 = 63,000 req/s, below the p10 80,000.
    const plan = { ...c.plan, fleetCheck: fleetCheck({ asOf: '2014Q4', nodes: { beijing: 420 }, peakUtilization: 0.5 }, model, { beijing: 300 }) };
    const m = buildReportModel({ plan });
    expect(m.recommendation!.fleetCheck).toMatchObject({ ok: false });
    const md = renderMarkdown(m);
    const line = md.split('\n').find((l) => l.startsWith('**Fleet check'))!;
    expect(line).toBe('**Fleet check (disagrees).** Today\'s fleet, 420 nodes as of 2014Q4, serves 63,000 req/s at its stated 50% peak utilization; ' +
      'the model\'s 2014Q4 peak is 100,000 req/s (p10 80,000, p90 160,000): the model asks for 1.6x what the fleet serves, beyond its own p10-p90 interval. ' +
      'The demand per device or the fleet\'s figures are off: check them before buying on this plan. On today\'s fleet that peak is 79% utilization (p10 63%, p90 127%).');
    expect(md.indexOf('**Fleet check')).toBeLessThan(md.indexOf('| DC |'));
    const html = renderHtml(m, { chartJs });
    expect(html).toMatch(/<p class="note bad" id="fleet-check"><b>Fleet check\.<\/b> Today&#39;s fleet, 420 nodes as of 2014Q4, serves 63,000 req\/s/);
    expect(html.indexOf('id="fleet-check"')).toBeLessThan(html.indexOf('recommendation-table'));
  });

  it('agreement is said as such, and a plan without a check shows none', async () => {
    const c = await campaignFixture();
    const plan = { ...c.plan, fleetCheck: fleetCheck({ asOf: '2014Q4', nodes: { beijing: 420 }, peakRps: 110_000 }, model, { beijing: 300 }) };
    const md = renderMarkdown(buildReportModel({ plan }));
    expect(md).toContain('**Fleet check.** Today\'s fleet, 420 nodes as of 2014Q4, serves a measured peak of 110,000 req/s; the model\'s 2014Q4 peak is 100,000 req/s (p10 80,000, p90 160,000): they agree.');
    const { fleetCheck: _none, ...without } = c.plan;
    expect(renderMarkdown(buildReportModel({ plan: without }))).not.toContain('Fleet check');
    expect(renderHtml(buildReportModel({ plan: without }), { chartJs })).not.toContain('id="fleet-check"');
  });
});
