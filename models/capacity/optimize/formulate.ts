/**
 * The placement problem as a mixed-integer program in CPLEX LP text, the format HiGHS reads. Per quarter:
 *
 *   minimize   sum_d price_d n_d  +  penalty x (ms beyond budget) x peak_c x share, for traffic served beyond its budget
 *              +  data_c,d x share in normal operation (the country's stored data and egress priced at d, when given)
 *              (+ a tie-break of 1e-9 per req/s-ms of RTT, so equal-cost plans prefer the nearer DC)
 *   subject to for every scenario s (normal, loss of each DC to survive) and country c not stranded in s:
 *                sum_d x[c,d,s] = 1                                   (all its traffic is served: "serve")
 *              for every DC d up in s and UTC hour h:
 *                sum_c rps[c,h] x[c,d,s] <= U cap_d (n_d - spares)    in normal operation ("capacity")
 *                sum_c rps[c,h] x[c,d,s] <= U cap_d n_d               after a loss: the spares are used ("failover")
 *              sum_d price_d n_d <= cost cap                          when the intents set one ("cost-cap")
 *              n_d integer, spares <= n_d <= max nodes of the site; 0 <= x <= 1
 *              for a what-if site d, o_d binary (open): spares o_d <= n_d <= M o_d, x[c,d,s] <= o_d, and its spares
 *                term is spares o_d (a closed site needs none); M is its site limit, else the nodes that would carry
 *                all demand at the cap plus the spares
 *
 * x[c,d,s] exists only where residency allows d for c, d is up in s, and d is within c's latency budget if any live
 * allowed DC in service is (the budget is hard where it can be met, soft at the penalty where it cannot; a what-if
 * site within budget is an option, never a requirement). A country that
 * residency leaves nowhere in a scenario is stranded: it has no variables and the solution lists it. Capacity is
 * checked hour by hour, since countries in different time zones peak at different hours. Pure: problem in, text out.
 */
import { type PlacementProblem, peakRps, scenariosOf, servingDcs } from './problem.ts';

/** What a row of the program stands for, so an infeasible program can be explained in the intents' words. */
export interface RowMeaning {
  kind: 'serve' | 'capacity' | 'failover' | 'cost-cap' | 'site';
  scenario?: string;
  dc?: string;
  country?: string;
  hour?: number;
}

/** The program and how to read its solution. */
export interface Formulation {
  /** CPLEX LP text. */
  lp: string;
  /** Column name of each DC's node count. */
  nodeCol: Record<string, string>;
  /** Column name of each what-if site's open indicator. */
  openCol: Record<string, string>;
  /** Column name of each share: `share[scenario][country][dc]`. */
  shareCol: Record<string, Record<string, Record<string, string>>>;
  /** Countries stranded per scenario. */
  stranded: Record<string, string[]>;
  /** Row name -> meaning. */
  rows: Record<string, RowMeaning>;
}

/** Tie-break weight per req/s-ms of RTT: far below one node's price. */
const TIE_BREAK = 1e-9;

/** A number as LP text: finite, no exponent HiGHS might misread, enough digits. */
function num(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`formulatePlacement: ${v} is not a finite coefficient`);
  return Number(v.toPrecision(12)).toString().replace(/e\+?/, 'e');
}

/** `a x + b y - c z` from (coefficient, column) terms, lines wrapped so no LP line grows without bound. */
function linear(terms: readonly [number, string][]): string {
  const parts = terms.filter(([a]) => a !== 0).map(([a, col], i) => `${a < 0 ? '-' : i === 0 ? '' : '+'} ${num(Math.abs(a))} ${col}`.trim());
  if (parts.length === 0) return '0 n0';
  const lines: string[] = [];
  for (let i = 0; i < parts.length; i += 8) lines.push(parts.slice(i, i + 8).join(' '));
  return lines.join('\n   ');
}

/**
 * Builds the program.
 * @param p the problem (validated: positive capacities, 24-hour demand, finite numbers)
 * @returns LP text and the names to read the solution by
 * @throws {RangeError} on a non-finite number
 */
export function formulatePlacement(p: PlacementProblem): Formulation {
  const dcNames = p.dcs.map((d) => d.name);
  const scenarios = scenariosOf(p);
  const nodeCol = Object.fromEntries(p.dcs.map((d, i) => [d.name, `n${i}`]));
  const openCol = Object.fromEntries(p.dcs.flatMap((d, i) => (d.candidate ? [[d.name, `o${i}`]] : [])));
  const sites = new Set(Object.keys(openCol));
  // Most nodes a what-if site could need: all demand at the cap plus the spares.
  const allPeak = p.countries.reduce((t, c) => t + peakRps(c), 0);
  const shareCol: Formulation['shareCol'] = {};
  const stranded: Formulation['stranded'] = {};
  const rows: Formulation['rows'] = {};
  const objective: [number, string][] = p.dcs.map((d) => [d.pricePerNodeMonth, nodeCol[d.name]!]);
  const constraints: string[] = [];
  const shares: string[] = [];

  scenarios.forEach((s, si) => {
    shareCol[s.name] = {};
    stranded[s.name] = [];
    p.countries.forEach((c, ci) => {
      const serving = servingDcs(c, s, dcNames, sites);
      if (serving.length === 0) {
        stranded[s.name]!.push(c.code);
        return;
      }
      const cols: Record<string, string> = {};
      for (const d of serving) {
        const col = `x${ci}_${dcNames.indexOf(d)}_${si}`;
        cols[d] = col;
        shares.push(col);
        if (openCol[d] !== undefined) {
          rows[`use${ci}_${dcNames.indexOf(d)}_${si}`] = { kind: 'site', dc: d, scenario: s.name, country: c.code };
          constraints.push(` use${ci}_${dcNames.indexOf(d)}_${si}: ${col} - ${openCol[d]} <= 0`);
        }
        const rtt = c.rttMs[d]!;
        // Zero wherever the budget is hard (every serving DC is within it).
        const beyond = Math.max(0, rtt - c.budgetMs) * p.intents.latencyPenaltyPerRps;
        // Data stays with the traffic it serves, so its storage and egress are paid where the country is served.
        const data = s.lost === undefined ? c.dataCostPerMonth?.[d] ?? 0 : 0;
        objective.push([peakRps(c) * (beyond + rtt * TIE_BREAK) + data, col]);
      }
      shareCol[s.name]![c.code] = cols;
      const row = `serve${ci}_${si}`;
      rows[row] = { kind: 'serve', scenario: s.name, country: c.code };
      constraints.push(` ${row}: ${linear(Object.values(cols).map((col) => [1, col]))} = 1`);
    });
    p.dcs.forEach((d, di) => {
      if (d.name === s.lost) return;
      const usable = p.intents.maxUtilization * d.perNodeRps;
      const spares = s.lost === undefined ? p.intents.spares : 0;
      for (let h = 0; h < 24; h++) {
        const terms: [number, string][] = [];
        p.countries.forEach((c) => {
          const col = shareCol[s.name]![c.code]?.[d.name];
          if (col !== undefined && c.hourlyRps[h]! > 0) terms.push([c.hourlyRps[h]!, col]);
        });
        if (terms.length === 0) continue;
        const row = `cap${di}_${si}_${h}`;
        rows[row] = { kind: s.lost === undefined ? 'capacity' : 'failover', scenario: s.name, dc: d.name, hour: h };
        const open = openCol[d.name];
        constraints.push(open === undefined
          ? ` ${row}: ${linear([...terms, [-usable, nodeCol[d.name]!]])} <= ${num(-usable * spares)}`
          : ` ${row}: ${linear([...terms, [-usable, nodeCol[d.name]!], [usable * spares, open]])} <= 0`);
      }
    });
  });
  if (p.intents.costCapPerMonth !== undefined) {
    rows.costcap = { kind: 'cost-cap' };
    constraints.push(` costcap: ${linear(p.dcs.map((d) => [d.pricePerNodeMonth, nodeCol[d.name]!]))} <= ${num(p.intents.costCapPerMonth)}`);
  }
  for (const d of p.dcs) {
    const open = openCol[d.name];
    if (open === undefined) continue;
    const big = d.maxNodes ?? Math.ceil(allPeak / (p.intents.maxUtilization * d.perNodeRps)) + p.intents.spares + 1;
    rows[`open_${open}`] = { kind: 'site', dc: d.name };
    constraints.push(` open_${open}: ${nodeCol[d.name]} - ${num(big)} ${open} <= 0`);
    rows[`spare_${open}`] = { kind: 'site', dc: d.name };
    constraints.push(` spare_${open}: ${nodeCol[d.name]} - ${num(p.intents.spares)} ${open} >= 0`);
  }
  const bounds = [
    ...p.dcs.map((d) => ` ${num(d.candidate ? 0 : p.intents.spares)} <= ${nodeCol[d.name]} <= ${d.maxNodes === undefined ? '+inf' : num(d.maxNodes)}`),
    ...shares.map((col) => ` 0 <= ${col} <= 1`),
  ];
  const lp = [
    'Minimize', ` obj: ${linear(objective)}`,
    'Subject To', ...(constraints.length > 0 ? constraints : [` none: ${nodeCol[dcNames[0]!] ?? 'n0'} >= 0`]),
    'Bounds', ...bounds,
    'General', ` ${Object.values(nodeCol).join(' ')}`,
    ...(Object.keys(openCol).length > 0 ? ['Binary', ` ${Object.values(openCol).join(' ')}`] : []),
    'End', '',
  ].join('\n');
  return { lp, nodeCol, openCol, shareCol, stranded, rows };
}
