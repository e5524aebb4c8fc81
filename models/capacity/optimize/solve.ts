/**
 * Solves a quarter's placement program with HiGHS (the `highs` package: the solver compiled to WebAssembly) and
 * reads the plan back: integer nodes per DC straight from the MIP (no rounding after an LP), each country's shares
 * per scenario, the countries stranded, the traffic served beyond its latency budget, and the solver's status, gap
 * and time. An infeasible program is explained in the intents' words from the irreducible infeasible subsystem of
 * its relaxation. The caller loads the solver (`await (await import('highs')).default()`) and hands it in.
 */
import type { Highs } from 'highs';
import { type Formulation, formulatePlacement, type RowMeaning } from './formulate.ts';
import { dataCostOf, type PlacementProblem, peakRps, scenariosOf } from './problem.ts';

/** A quarter's optimized placement. */
export interface PlacementSolution {
  /** `optimal`, or how the solver stopped (`time-limit`, `infeasible`, ...). */
  status: string;
  /** Relative MIP gap at the end (0 when proved optimal). */
  gap: number;
  /** Solver time, s. */
  seconds: number;
  /** Nodes per DC. */
  nodes: Record<string, number>;
  /** What-if sites the plan opens (in the problem's order). */
  opened: string[];
  /** Monthly cost of the nodes. */
  costPerMonth: number;
  /** Monthly cost of the countries' stored data and egress where they are served (when the problem prices data). */
  dataCostPerMonth?: number;
  /** Penalty of traffic served beyond its latency budget (price units per month). */
  latencyPenalty: number;
  /** Shares per scenario, country and DC (only shares above 1e-9, rounded to 6 decimals). */
  routing: Record<string, Record<string, Record<string, number>>>;
  /** Countries residency leaves nowhere, per scenario. */
  stranded: Record<string, string[]>;
  /** Traffic served beyond its budget, per scenario: country, DC, share, RTT and budget. */
  beyondBudget: Record<string, { country: string; dc: string; share: number; rttMs: number; budgetMs: number }[]>;
}

/** An intent set that no plan meets: what conflicts. */
export interface PlacementConflict {
  status: 'infeasible';
  /** The intents that cannot all hold, in words (from the IIS), each with its row. */
  conflicts: { row: string; intent: string }[];
}

/** Options of {@link solvePlacement}. */
export interface SolveOptions {
  /** Solver time limit, s (default 10). */
  timeLimitSeconds?: number;
  /** Relative MIP gap at which to stop (default 1e-6: optimal for practical purposes). */
  mipRelGap?: number;
}

const STATUS: Record<number, string> = {
  7: 'optimal', 8: 'infeasible', 9: 'infeasible-or-unbounded', 10: 'unbounded', 13: 'time-limit', 14: 'iteration-limit', 16: 'solution-limit', 17: 'interrupted',
};

/** The words of an intent a row stands for. */
function intentOf(m: RowMeaning, p: PlacementProblem): string {
  switch (m.kind) {
    case 'serve': {
      const budget = p.countries.find((c) => c.code === m.country)?.budgetMs;
      return `serve all of ${m.country}'s traffic in ${m.scenario} from DCs residency allows${budget === undefined ? '' : `, within its ${budget} ms budget where one can`}`;
    }
    case 'capacity': return `${m.dc} at most ${p.intents.maxUtilization * 100}% utilized with ${p.intents.spares} spare nodes (UTC hour ${m.hour})${maxNodes(p, m.dc)}`;
    case 'failover': return `${m.dc} carries its share after the ${m.scenario!.slice(5)} loss at most ${p.intents.maxUtilization * 100}% utilized (UTC hour ${m.hour})${maxNodes(p, m.dc)}`;
    case 'cost-cap': return `monthly cost at most ${p.intents.costCapPerMonth}`;
    case 'site': return `what-if site ${m.dc} serves only when opened, with its ${p.intents.spares} spare nodes`;
  }
}

function maxNodes(p: PlacementProblem, dc: string | undefined): string {
  const d = p.dcs.find((x) => x.name === dc);
  return d?.maxNodes === undefined ? '' : `, within its ${d.maxNodes}-node site limit`;
}

/**
 * Formulates and solves one quarter.
 * @param p the problem
 * @param highs a loaded HiGHS instance
 * @param opts time limit and gap
 * @returns the plan, or the conflicting intents when none is feasible
 * @throws {Error} when the solver fails (a load or solve error, not an outcome)
 */
export function solvePlacement(p: PlacementProblem, highs: Highs, opts: SolveOptions = {}): PlacementSolution | PlacementConflict {
  const f = formulatePlacement(p);
  const model = highs.createModel({ format: 'lp', data: f.lp });
  try {
    model.options.set({ output_flag: false, time_limit: opts.timeLimitSeconds ?? 10, mip_rel_gap: opts.mipRelGap ?? 1e-6, random_seed: 1 });
    model.run();
    const code = model.getModelStatus();
    const status = STATUS[code] ?? `status ${code}`;
    if (status === 'infeasible' || status === 'infeasible-or-unbounded') return { status: 'infeasible', conflicts: conflictsOf(f, p, highs) };
    if (status !== 'optimal' && status !== 'time-limit') throw new Error(`HiGHS stopped with ${status}`);
    const values = model.getSolution().colValue;
    const value = (col: string): number => values[model.getColByName(col)] ?? 0;
    return readSolution(f, p, value, { status, gap: Number(model.info.get('mip_gap')), seconds: model.getRunTime() });
  } finally {
    model.dispose();
  }
}

function readSolution(f: Formulation, p: PlacementProblem, value: (col: string) => number, run: { status: string; gap: number; seconds: number }): PlacementSolution {
  // `+ 0`: a -0 from the solver reads as 0.
  const nodes = Object.fromEntries(Object.entries(f.nodeCol).map(([d, col]) => [d, Math.round(value(col)) + 0]));
  const routing: PlacementSolution['routing'] = {};
  const beyondBudget: PlacementSolution['beyondBudget'] = {};
  let penalty = 0;
  for (const s of scenariosOf(p)) {
    routing[s.name] = {};
    beyondBudget[s.name] = [];
    for (const [code, cols] of Object.entries(f.shareCol[s.name] ?? {})) {
      const c = p.countries.find((x) => x.code === code)!;
      const shares: Record<string, number> = {};
      for (const [d, col] of Object.entries(cols)) {
        const v = value(col);
        if (v > 1e-9) shares[d] = Math.round(v * 1e6) / 1e6;
      }
      routing[s.name]![code] = shares;
      for (const [d, share] of Object.entries(shares)) {
        const rtt = c.rttMs[d]!;
        if (rtt > c.budgetMs) {
          beyondBudget[s.name]!.push({ country: code, dc: d, share, rttMs: rtt, budgetMs: c.budgetMs });
          penalty += p.intents.latencyPenaltyPerRps * (rtt - c.budgetMs) * peakRps(c) * share;
        }
      }
    }
  }
  const costPerMonth = p.dcs.reduce((t, d) => t + d.pricePerNodeMonth * nodes[d.name]!, 0);
  const opened = Object.entries(f.openCol).filter(([, col]) => value(col) > 0.5).map(([d]) => d);
  const data = dataCostOf(p, routing.normal);
  return { ...run, opened, gap: Number.isFinite(run.gap) ? Math.max(0, run.gap) : 0, nodes, costPerMonth, ...(data !== undefined ? { dataCostPerMonth: data } : {}), latencyPenalty: Math.round(penalty * 100) / 100, routing, stranded: f.stranded, beyondBudget };
}

/** The intents behind an infeasible program: the rows of its relaxation's irreducible infeasible subsystem. */
function conflictsOf(f: Formulation, p: PlacementProblem, highs: Highs): { row: string; intent: string }[] {
  // The relaxation (integrality dropped) carries the same intents; HiGHS computes an IIS for LPs.
  // Integer and binary sections dropped; the open indicators keep their 0..1 range as bounds.
  const lp = f.lp.replace(/\nGeneral\n[^\n]*\n/, '\n').replace(/\nBinary\n[^\n]*\n/, '\n')
    .replace(/\nBounds\n/, `\nBounds\n${Object.values(f.openCol).map((c) => ` 0 <= ${c} <= 1\n`).join('')}`);
  const model = highs.createModel({ format: 'lp', data: lp });
  try {
    // iis_strategy bit mask: FromLp (2, an elastic LP) + Irreducible (4, refined to a true IIS). The package types it
    // as an enum it declares but does not export, hence the cast.
    model.options.set({ output_flag: false, iis_strategy: 2 | 4 } as never);
    model.run();
    const iis = model.getIis();
    const names = Object.keys(f.rows);
    const byIndex = new Map<number, string>();
    for (const name of names) {
      const i = model.getRowByName(name);
      if (i >= 0) byIndex.set(i, name);
    }
    const rows = [...iis.rowIndex].map((i) => byIndex.get(i)).filter((r): r is string => r !== undefined);
    // Rows of the same intent (one per hour) are listed once, the first hour standing for the rest.
    const seen = new Set<string>();
    const out: { row: string; intent: string }[] = [];
    for (const row of rows) {
      const m = f.rows[row]!;
      const key = `${m.kind}:${m.scenario ?? ''}:${m.dc ?? ''}:${m.country ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ row, intent: intentOf(m, p) });
    }
    // Node bounds (spares, site limits) are columns of the IIS, not rows.
    for (const i of iis.colIndex) {
      const dc = Object.entries(f.nodeCol).find(([, col]) => model.getColByName(col) === i)?.[0];
      if (dc !== undefined) out.push({ row: `bounds ${f.nodeCol[dc]}`, intent: `${dc} holds between ${p.intents.spares} and ${p.dcs.find((d) => d.name === dc)!.maxNodes ?? 'any number of'} nodes` });
    }
    return out.length > 0 ? out : [{ row: '(none)', intent: 'the intents conflict only through the integrality of node counts' }];
  } finally {
    model.dispose();
  }
}
