/**
 * Placement optimizer benchmark (issue 15): the default plan's 4 DCs x 12 quarters x all 12 countries x (1 + 4)
 * scenarios (normal and the loss of each DC), every DC's load checked in each of 24 UTC hours, solved by HiGHS
 * quarter by quarter; then the same with 6 DCs (two what-if sites: a second mainland China site and Mumbai, with
 * RTTs derived from their neighbours') x (1 + 6) scenarios. Goal: each whole horizon under 2 s. Prints the time, the
 * solver's status and worst gap, and the greedy placement's time on the same problems as the peer in this run.
 */
import { computePlan, placementProblems } from '../cli/chain.ts';
import { loadHighs } from '../cli/highs.ts';
import { greedyPlacement } from '../models/capacity/optimize/greedy.ts';
import type { PlacementProblem } from '../models/capacity/optimize/problem.ts';
import { type PlacementSolution, solvePlacement } from '../models/capacity/optimize/solve.ts';

const plan = await computePlan({}, 1);
const { quarters } = await placementProblems(plan, {}, 1);
const highs = await loadHighs();

/** Adds two candidate sites: `beijing-2` (mainland China, RTTs of beijing + 5 ms) and `mumbai` (India 15 ms). */
function withCandidates(p: PlacementProblem): PlacementProblem {
  const sites = [
    { name: 'beijing-2', like: 'beijing', extra: 5, price: 320 },
    { name: 'mumbai', like: 'singapore', extra: 20, price: 360 },
  ];
  return {
    dcs: [...p.dcs, ...sites.map((s) => ({ name: s.name, perNodeRps: p.dcs.find((d) => d.name === s.like)!.perNodeRps, pricePerNodeMonth: s.price }))],
    countries: p.countries.map((c) => {
      const rttMs = { ...c.rttMs, ...Object.fromEntries(sites.map((s) => [s.name, s.name === 'mumbai' && c.code === 'IN' ? 15 : c.rttMs[s.like]! + s.extra])) };
      const allowed = [...c.allowedDcs, ...sites.filter((s) => c.allowedDcs.includes(s.like)).map((s) => s.name)];
      return { ...c, rttMs, allowedDcs: allowed };
    }),
    intents: { ...p.intents, survive: [...p.intents.survive, ...sites.map((s) => s.name)] },
  };
}

function run(label: string, problems: PlacementProblem[]): boolean {
  solvePlacement(problems[0]!, highs); // warm-up
  const t0 = performance.now();
  const solved = problems.map((p) => solvePlacement(p, highs) as PlacementSolution);
  const ms = performance.now() - t0;
  const g0 = performance.now();
  for (const p of problems) greedyPlacement(p);
  const greedyMs = performance.now() - g0;
  const statuses = [...new Set(solved.map((s) => s.status))].join(', ');
  const gap = Math.max(...solved.map((s) => s.gap));
  const p = problems[0]!;
  console.log(`${label}: ${p.dcs.length} DCs x ${problems.length} quarters x ${p.countries.length} countries x ${1 + p.intents.survive.length} scenarios`);
  console.log(`  HiGHS: ${ms.toFixed(0)} ms for the horizon (goal < 2000 ms) ${ms < 2000 ? 'met' : 'MISSED'}; status ${statuses}; worst gap ${gap.toExponential(1)}`);
  console.log(`  greedy on the same problems: ${greedyMs.toFixed(1)} ms; optimized saves ${solved.reduce((t, s, i) => t + greedyPlacement(problems[i]!).costPerMonth - s.costPerMonth, 0).toFixed(0)} ${plan.currency}/month summed over the quarters`);
  return ms < 2000;
}

const ok = [run('default placement', quarters.map((q) => q.problem)), run('with two what-if sites', quarters.map((q) => withCandidates(q.problem)))];
process.exitCode = ok.every(Boolean) ? 0 : 1;
