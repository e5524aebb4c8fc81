/**
 * Planner benchmark: a full plan for 4 DCs x 12 quarters x all services x 512 draws, including the Erlang C sizing
 * of every draw, beside the same plan without the Erlang step (goal: the full plan < 1 s). Inputs are the default
 * campaign's: traffic from the bundled forecast, modeled capacity, data/ settings.
 */
import { computePlan, computeTraffic } from '../cli/chain.ts';
import { buildPlan, type PlanInput } from '../models/capacity/planner.ts';

// Capture the exact inputs computePlan builds, by running it once with a spy on buildPlan's input.
const { traffic } = await computeTraffic({}, 1);
const quarters = Object.values(traffic.dcs)[0]!.length;
const services = Object.keys(traffic.demand).length;
const plan = await computePlan({}, 1);
const input: PlanInput = {
  traffic,
  capacity: Object.fromEntries(Object.entries(plan.dcs).map(([dc, d]) => [dc, { ...d.capacity, workers: Number(d.capacity.inputs.workers) }])),
  fleet: { schema: 'caplab.fleet/v1', asOf: plan.fleet.asOf, nodes: plan.fleet.nodes },
  pricePerNodeMonth: Object.fromEntries(Object.entries(plan.dcs).map(([dc, d]) => [dc, d.pricePerNodeMonth])),
  currency: plan.currency,
  ...(await import('../cli/inputs/routing.ts')).loadRoutingData(),
  settings: { schema: 'caplab.planner/v1', serverBudgetP95Ms: 200, ...plan.settings },
  seed: 1,
};

function time(erlangCheck: boolean, reps: number): number {
  buildPlan({ ...input, erlangCheck }); // warm-up: JIT
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) buildPlan({ ...input, erlangCheck });
  return (performance.now() - t0) / reps;
}

const withErlang = time(true, 5);
const without = time(false, 5);
console.log(`plan: ${Object.keys(traffic.dcs).length} DCs x ${quarters} quarters x ${services} services x ${input.settings.draws} draws`);
console.log(`with Erlang C sizing of every draw: ${withErlang.toFixed(1)} ms (goal < 1000 ms) ${withErlang < 1000 ? 'met' : 'MISSED'}`);
console.log(`utilization only:                   ${without.toFixed(1)} ms`);
console.log(`Erlang step costs ${(withErlang / without).toFixed(1)}x the loop without it`);
process.exitCode = withErlang < 1000 ? 0 : 1;
