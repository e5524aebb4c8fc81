/**
 * Text rendering of plan.json: per DC the capacity a node is counted for, and per quarter demand, nodes (p50, p90,
 * least regret), N+2, DC-loss sizing, the planned count against today's fleet, and cost. Pure.
 */
import type { Plan } from '../../models/types.ts';
import { textTable } from './table.ts';

/**
 * Renders a plan.
 * @param plan plan.json content
 * @returns text with a trailing newline
 */
export function renderPlan(plan: Plan): string {
  const out: string[] = [
    `Capacity plan (placement ${plan.placement}; ${Math.round(plan.settings.targetUtilization * 100)}% target utilization, ` +
      `N+${plan.settings.redundancy}, ${plan.settings.draws} draws; fleet as of ${plan.fleet.asOf})`,
  ];
  for (const [dc, d] of Object.entries(plan.dcs)) {
    const c = d.capacity;
    out.push('', `${dc}: ${c.perNodeRps} req/s per node (${c.source}; SLO ${c.sloRps}${c.sloInterval ? ` (measured in [${c.sloInterval.lower}, ${c.sloInterval.upper ?? 'not bracketed'}))` : ''}, USL ceiling ${c.ceilingRps}: ${c.binds} binds); ` +
      `fleet ${plan.fleet.nodes[dc] ?? 0}; runs out ${d.runsOut.p50 ?? 'not within the horizon'} (p50), ${d.runsOut.p90 ?? 'not within the horizon'} (p90 need or DC loss)`);
    out.push(textTable(
      ['quarter', 'demand p50', 'demand p90', 'nodes p50', 'p90', 'least regret', `N+${plan.settings.redundancy}`, 'DC loss', 'planned', 'gap', `cost ${plan.currency}`],
      d.quarters.map((q) => [
        q.quarter, Math.round(q.demandRps.p50).toLocaleString('en-US'), Math.round(q.demandRps.p90).toLocaleString('en-US'),
        String(q.nodes.p50), String(q.nodes.p90), String(q.nodes.leastRegret), String(q.withRedundancy),
        q.dcLoss.worstLostDc ? `${q.dcLoss.nodes} (${q.dcLoss.worstLostDc} lost)` : String(q.dcLoss.nodes),
        String(q.planned), q.gap > 0 ? `+${q.gap}` : String(q.gap), q.cost.toLocaleString('en-US'),
      ]),
    ));
  }
  const stranded = Object.entries(plan.failover).filter(([, f]) => f.stranded.length > 0);
  for (const [lost, f] of stranded) {
    out.push('', `If ${lost} is lost, residency leaves nowhere to serve ${f.stranded.map((s) => `${s.country} (rule ${s.rule})`).join(', ')}.`);
  }
  return `${out.join('\n')}\n`;
}
