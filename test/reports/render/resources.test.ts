/**
 * The resources and move sections of the report, from a hand-written plan.json (test/reports/render/move-plan.ts:
 * two sites, two quarters, a wave that converges and one that never does): the binding resource named per tier and
 * in words, the shapes, the TB figures, the hours and dates, the "never" wave in words and on the timeline, the
 * same in report.md and report.html; plan.json's schema keeps both sections; and a plan without them renders exactly
 * as before (no heading, no nav link, no key in the embedded model).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../models/types.ts';
import { parseWith } from '../../../models/validation.ts';
import { duration, moveOf } from '../../../reports/render/move.ts';
import { renderHtml } from '../../../reports/render/html.ts';
import { PlanFileSchema } from '../../../reports/render/inputs.ts';
import { renderMarkdown } from '../../../reports/render/markdown.ts';
import { buildReportModel, type ReportModel } from '../../../reports/render/model.ts';
import { resourcesOf } from '../../../reports/render/resources.ts';
import { movePlan, WAVE1, WAVE2_BULK } from './move-plan.ts';
import { tableAfter } from '../../helpers/markdown-table.ts';

const chartJs = readFileSync(join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js'), 'utf8');

function embedded(html: string): ReportModel {
  const m = /<script type="application\/json" id="caplab-data">([\s\S]*?)<\/script>/.exec(html);
  return JSON.parse(m![1]!) as ReportModel;
}

/** The plan as plan.json holds it: through JSON (a never-converging cut-over is null there) and the report's schema. */
function fromFile(plan: Plan): Plan {
  return parseWith(PlanFileSchema, JSON.parse(JSON.stringify(plan)), 'plan.json');
}

describe('resources in the report', () => {
  it('sizes each site per quarter with the shape, its nodes and the binding resource, and says which binds most', () => {
    const r = resourcesOf(movePlan())!;
    expect(r.currency).toBe('USD');
    expect(r.basis).toMatch(/^Every tier is sized at p83 of each service's busiest hour .* the least-regret quantile \(shortage weighs 5 to surplus 1\)/);
    expect(r.basis).toContain('CPU 70%, memory 80%, network 60%, disk 80%, IOPS 70%');
    expect(r.basis).toContain('0.5 cores and 2 GiB for its baseline');
    expect(r.sites.map((s) => s.site)).toEqual(['beijing', 'frankfurt']);
    const [bj, fra] = r.sites;
    expect(bj!.rows.map((x) => [x.app, x.storage])).toEqual([['c7i.2xlarge × 24 (cpu)', 'i4i.4xlarge × 9 (disk)'], ['c7i.2xlarge × 26 (cpu)', 'i4i.4xlarge × 10 (disk)']]);
    expect(bj!.binding).toBe('At beijing, the app tier is bound by CPU in both quarters; the storage tier is bound by disk in both quarters.');
    expect(fra!.binding).toBe('At frankfurt, the app tier is bound by memory in both quarters; the storage tier is bound by the minimum node count in 1 of 2 quarters (IOPS in 1).');
    expect(bj!.families).toBe('Best shape of each family in 2027Q2 (USD per month): app tier c7i.2xlarge × 26 (cpu, 6,500, chosen), m7i.2xlarge × 24 (cpu, 6,960).');
    expect(fra!.families).toBe('');
    expect(fra!.cpu).toMatch(/^catalog: /);
  });

  it('adds the push tier and its connections when a site holds them, in both reports', () => {
    const plan = movePlan();
    const bj = plan.resources!.sites.beijing!;
    const chosen = { ...bj.quarters[0]!.app!.chosen, shape: 'r5.large', family: 'r5', binds: 'connections' as const, nodes: 8, costPerMonth: 8 * 90 };
    bj.quarters[0]!.push = { needs: { cpu: 1, memory: 20, network: 0, disk: 0, iops: 0, connections: 400_000 }, chosen, families: [chosen] };
    bj.quarters[0]!.connections = { held: 400_000, heartbeatsPerSecond: 1333.3, deliveriesPerSecond: 50 };
    const r = resourcesOf(fromFile(plan))!;
    expect(r.push).toBe(true);
    expect(r.basis).toMatch(/Push nodes hold one connection per online device/);
    expect(r.sites[0]!.rows.map((x) => [x.push, x.connections])).toEqual([['r5.large × 8 (connections)', 400_000], ['—', null]]);
    expect(r.sites[0]!.binding).toContain('the push tier is bound by connections in its one quarter');
    const md = renderMarkdown(buildReportModel({ plan: fromFile(plan) }));
    const rows = tableAfter(md, '### beijing');
    expect(rows[0]).toContain('push tier (binds)');
    expect(rows[2]).toEqual(expect.arrayContaining(['r5.large × 8 (connections)', '400,000']));
  });

  it('shows "—" for a site that stores nothing and names a tier no shape fits', () => {
    const plan = movePlan();
    const fra = plan.resources!.sites.frankfurt!;
    fra.quarters = fra.quarters.map(({ storage: _drop, ...q }) => q);
    fra.quarters[1]!.app = null;
    const s = resourcesOf(plan)!.sites[1]!;
    expect(s.rows.map((x) => [x.app, x.storage, x.unfit])).toEqual([['c7i.2xlarge × 6 (memory)', '—', false], ['no shape fits', '—', true]]);
    expect(s.binding).toBe('At frankfurt, the app tier is bound by memory in 1 of 2 quarters (no shape fits in 1).');
  });

  it('is absent without plan.resources / plan.move', () => {
    const { resources: _r, move: _m, ...old } = movePlan();
    expect(resourcesOf(old as Plan)).toBeNull();
    expect(moveOf(old as Plan)).toBeNull();
  });
});

describe('the move in the report', () => {
  it('words the link, each wave\'s steps and the wave that never converges', () => {
    const v = moveOf(fromFile(movePlan()))!;
    expect(v.link).toContain('10 Gbit/s at 0.01% loss outbound and 5 Gbit/s at 0.01% loss inbound');
    expect(v.link).toContain('200 ms round trip, 64 parallel TCP streams; under loss one stream carries at most 7.15 Mbit/s outbound');
    const [w1, w2] = v.rows;
    expect(w1).toMatchObject({
      wave: 'wave 1 → frankfurt', countries: 'DE, FR', dataTB: '120 (150)', throughput: '57.2 MB/s (loss)',
      bulk: `${duration(WAVE1.bulk)} (p90 30.3 d)`, catchUp: '2.3 d (2 rounds)', cutover: '4 h', total: '26.7 d', endDate: '2027-01-27',
      held: '20 nodes for 0.9 months', heldCost: '6,151', rollback: '26.6 d', converges: true,
    });
    expect(duration(WAVE1.bulk)).toBe('24.3 d');
    expect(w2).toMatchObject({ catchUp: 'never converges', cutover: '—', total: 'never', endDate: 'never', held: '9 nodes, open-ended', heldCost: 'open-ended', converges: false });
    expect(v.never).toEqual(['wave 2 → frankfurt never converges: its countries write 80 MB/s while the link copies 57.2 MB/s, so the catch-up cannot close the gap; the bulk copy alone takes 8.1 d from 2027-04-01, and beijing keeps 9 nodes for its countries with no end.']);
    // The timeline: days from the first wave's start; the never-converging wave has its bulk copy only.
    expect(v.day0).toBe('2027-01-01');
    expect(v.bars[0]).toMatchObject({ start: 0, converges: true, bulkEndDate: '2027-01-25' });
    expect(v.bars[0]!.bulkEnd).toBeCloseTo(WAVE1.bulk / 24, 6);
    expect(v.bars[0]!.cutoverEnd).toBeCloseTo(WAVE1.total / 24, 6);
    expect(v.bars[1]).toMatchObject({ start: 90, catchUpEnd: null, cutoverEnd: null, converges: false, label: 'wave 2 → frankfurt (2027Q2): never converges' });
    expect(v.bars[1]!.bulkEnd).toBeCloseTo(90 + WAVE2_BULK / 24, 6);
    expect(v.timeline).toEqual([
      'wave 1 → frankfurt: 2027-01-01 → 2027-01-27 (bulk copy 24.3 d to 2027-01-25, catch-up 2.3 d, cut-over 4 h)',
      'wave 2 → frankfurt: 2027-04-01 → never (bulk copy 8.1 d to 2027-04-09, then the catch-up never converges)',
    ]);
    expect(v.latency).toEqual([
      { country: 'DE', wave: 'wave 1 → frankfurt', before: '182 ms', during: '182 ms', after: '9.50 ms' },
      { country: 'FR', wave: 'wave 1 → frankfurt', before: '190 ms', during: '190 ms', after: '14.0 ms' },
      { country: 'GB', wave: 'wave 2 → frankfurt', before: '205 ms', during: '205 ms', after: '16.5 ms' },
    ]);
  });

  it('says durations in minutes, hours or days', () => {
    expect([duration(0.25), duration(4), duration(47.9), duration(48), duration(null), duration(Infinity)]).toEqual(['15 min', '4 h', '47.9 h', '2 d', '—', '—']);
  });
});

describe('report.md and report.html', () => {
  const m = buildReportModel({ plan: fromFile(movePlan()) });

  it('puts Resources and The move after the plan to buy, as tables', () => {
    const md = renderMarkdown(m);
    const heads = md.split('\n').filter((l) => l.startsWith('## '));
    expect(heads.slice(0, 4)).toEqual(['## The plan to buy', '## Resources', '## The move', '## Recommendation per data center']);
    const bj = tableAfter(md, '### beijing');
    expect(bj[0]).toEqual(['quarter', 'app tier (binds)', 'storage tier (binds)', 'stored TB p50 (p10–p90)', 'raw TB p50', 'network out / in Gbit/s p50', 'egress TB/month p50', 'egress USD/month', 'total USD/month']);
    expect(bj[2]).toEqual(['2027Q1', 'c7i.2xlarge × 24 (cpu)', 'i4i.4xlarge × 9 (disk)', '310 (248–388)', '465', '15.5 / 3.1', '95', '7,600', '21,700']);
    expect(tableAfter(md, '### frankfurt')[3]).toEqual(['2027Q2', 'c7i.2xlarge × 8 (memory)', 'i4i.4xlarge × 4 (iops)', '131 (105–164)', '197', '6.56 / 1.31', '31', '1,550', '7,150']);
    expect(md).toContain('At beijing, the app tier is bound by CPU in both quarters; the storage tier is bound by disk in both quarters.');
    expect(md).toContain('CPU per request: modeled: 330 req/s per node at the SLO on 8 vCPUs (standard)');
    const waves = tableAfter(md, '## The move');
    expect(waves[2]).toEqual(['wave 1 → frankfurt', '2027Q1 (2027-01-01)', 'DE, FR', '120 (150)', '57.2 MB/s (loss)', '24.3 d (p90 30.3 d)', '2.3 d (2 rounds)', '4 h', '26.7 d', '2027-01-27', '20 nodes for 0.9 months', '6,151', '26.6 d']);
    expect(waves[3]).toEqual(['wave 2 → frankfurt', '2027Q2 (2027-04-01)', 'GB', '40 (55)', '57.2 MB/s (loss)', '8.1 d (p90 11.1 d)', 'never converges', '—', 'never', 'never', '9 nodes, open-ended', 'open-ended', '8.1 d']);
    expect(md).toContain('**wave 2 → frankfurt never converges: its countries write 80 MB/s');
    expect(md).toContain('- wave 1 → frankfurt: 2027-01-01 → 2027-01-27 (bulk copy 24.3 d to 2027-01-25, catch-up 2.3 d, cut-over 4 h)');
    expect(md).toContain('- wave 2 → frankfurt: 2027-04-01 → never (bulk copy 8.1 d to 2027-04-09, then the catch-up never converges)');
    expect(tableAfter(md, '### Latency per country').slice(2)).toEqual([
      ['DE', 'wave 1 → frankfurt', '182 ms', '182 ms', '9.50 ms'], ['FR', 'wave 1 → frankfurt', '190 ms', '190 ms', '14.0 ms'], ['GB', 'wave 2 → frankfurt', '205 ms', '205 ms', '16.5 ms'],
    ]);
    expect(md).toContain('> Note: the wave to mumbai in 2028Q1 is not planned: 2028Q1 is outside the planned periods');
  });

  it('renders both sections in report.html with the timeline canvas and its table', () => {
    const html = renderHtml(m, { chartJs });
    expect(html.indexOf('<section id="buy">')).toBeLessThan(html.indexOf('<section id="resources">'));
    expect(html.indexOf('<section id="resources">')).toBeLessThan(html.indexOf('<section id="move">'));
    expect(html.indexOf('<section id="move">')).toBeLessThan(html.indexOf('<section id="recommendation">'));
    expect(html).toContain('<a href="#buy">Plan to buy</a><a href="#resources">Resources</a><a href="#move">The move</a><a href="#recommendation">');
    expect(html).toContain('<td>c7i.2xlarge × 24 (cpu)</td><td>i4i.4xlarge × 9 (disk)</td><td>310 (248–388)</td><td class="num">465</td>');
    expect(html).toContain('id="resources-table-frankfurt"');
    expect(html).toContain('<td class="bad">never converges</td>');
    expect(html).toContain('<p class="note bad">wave 2 → frankfurt never converges');
    expect([...html.matchAll(/<canvas data-chart="([^"]+)"/g)].map((x) => x[1])).toEqual(['move', 'nodes']);
    const fig = html.split('<canvas data-chart="move"')[1]!.split('</section>')[0]!;
    expect(fig).toContain('<table id="move-timeline">');
    expect(fig).toContain('<td>wave 2 → frankfurt</td><td>2027-04-01</td><td>2027-04-09</td><td class="bad">never</td>');
    expect(embedded(html)).toEqual(m);
    expect(embedded(html).move!.bars).toHaveLength(2);
  });

  it('leaves an older plan\'s reports exactly as they were', () => {
    const { resources: _r, move: _m, ...old } = movePlan();
    const om = buildReportModel({ plan: old as Plan });
    expect('resources' in om).toBe(false);
    expect('move' in om).toBe(false);
    expect(Object.keys(om.missing)).not.toContain('resources');
    const html = renderHtml(om, { chartJs });
    expect(html).not.toMatch(/id="resources"|id="move"|href="#resources"|href="#move"|data-chart="move"/);
    expect(html).toContain('</section>\n<section id="recommendation">');
    const md = renderMarkdown(om);
    expect(md).not.toMatch(/## Resources|## The move/);
    expect(md).toContain('_Not available: plan.json has no plan to buy (no optimized placement, or one written before caplab recorded it)._\n\n## Recommendation per data center');
  });
});
