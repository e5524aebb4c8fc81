/**
 * `caplab.intents/v1`: what a placement must achieve, stated as intents (after Google's Auxon) rather than as node
 * counts: a latency budget (RTT) by default, per region or per country; spare nodes per DC; the utilization cap at
 * the design peak; which single-DC losses to survive; the penalty for traffic served beyond its budget where no DC
 * within it exists; the demand band to plan for; an optional monthly cost cap. Validated with every problem listed.
 */
import { z } from 'zod';
import { type Problem, ValidationError } from '../../errors.ts';
import { LIMITS } from '../../limits.ts';
import { formatPath } from '../../validation.ts';
import type { PlacementIntents } from './problem.ts';

const BOUNDS = LIMITS.intents;
// Bounded so the MIP's coefficients stay finite and solvable (data/limits.json intents, with the reasoning).
const Ms = z.number().positive().max(BOUNDS.budgetMs, `must be at most ${BOUNDS.budgetMs} ms (data/limits.json intents.budgetMs)`);

/** The intents without their file's schema tag: what a world file's `intents` holds. */
export const IntentsBodySchema = z.strictObject({
  about: z.string().optional(),
  latency: z.strictObject({
    /** RTT budget of every country without its own or its region's, ms. */
    defaultBudgetMs: Ms,
    regions: z.record(z.string().min(1), Ms).default({}),
    countries: z.record(z.string().regex(/^[A-Z]{2}$/, 'must be an ISO country code like IN'), Ms).default({}),
    /** Price units per month per req/s of peak demand and per ms beyond the budget, where no DC within it exists. */
    penaltyPerRpsMs: z.number().nonnegative().max(BOUNDS.penaltyPerRpsMs,
      `must be at most ${BOUNDS.penaltyPerRpsMs}: larger penalties make the optimizer's objective overflow (data/limits.json intents.penaltyPerRpsMs)`),
    reasoning: z.string().optional(),
  }),
  /** Spare nodes per DC in normal operation (default: data/planner.json redundancy). */
  spares: z.number().int().nonnegative().optional(),
  /** Highest utilization at the design peak (default: data/planner.json targetUtilization). */
  maxUtilization: z.number().gt(0).max(1).optional(),
  /** DC losses to survive: `any-one` (every DC of the placement) or a list of DCs; `none` for no failover. */
  survive: z.union([z.enum(['any-one', 'none']), z.array(z.string().min(1)).min(1)]),
  /** Demand band planned for. */
  demand: z.enum(['p50', 'p90', 'least-regret']).default('p90'),
  /** Highest monthly cost of the plan. */
  costCapPerMonth: z.number().positive().max(BOUNDS.costCapPerMonth, `must be at most ${BOUNDS.costCapPerMonth} (data/limits.json intents.costCapPerMonth)`).optional(),
  /** Most nodes a site can hold. */
  maxNodes: z.record(z.string().min(1), z.number().int().positive().max(BOUNDS.maxNodes, `must be at most ${BOUNDS.maxNodes} (data/limits.json intents.maxNodes)`)).default({}),
  reasoning: z.string().optional(),
});

/** Schema of an intents file. */
export const IntentsSchema = IntentsBodySchema.extend({ schema: z.literal('caplab.intents/v1') });

/** A validated intents file. */
export type Intents = z.output<typeof IntentsSchema>;

/** What the intents refer to, to check their names against. */
export interface IntentsContext {
  /** DCs of the placement. */
  dcs: readonly string[];
  /** Countries and their regions. */
  countries: readonly { code: string; region: string }[];
  /** data/planner.json defaults. */
  planner: { redundancy: number; targetUtilization: number };
}

/**
 * Validates an intents document and its names (DCs, regions, countries), listing every problem.
 * @param value parsed JSON or YAML
 * @param source file name for messages
 * @param ctx the placement's DCs and the known countries and regions
 * @returns the intents
 * @throws {ValidationError} with every problem and its path
 */
export function parseIntents(value: unknown, source: string, ctx: IntentsContext): Intents {
  const r = IntentsSchema.safeParse(value);
  if (!r.success) throw new ValidationError(`${source} is invalid`, r.error.issues.map((i) => ({ where: `${source}: ${formatPath(i.path)}`, message: i.message })));
  const doc = r.data;
  const problems: Problem[] = [];
  const regions = new Set(ctx.countries.map((c) => c.region));
  const codes = new Set(ctx.countries.map((c) => c.code));
  for (const k of Object.keys(doc.latency.regions)) if (!regions.has(k)) problems.push({ where: `${source}: latency.regions.${k}`, message: `unknown region (known: ${[...regions].join(', ')})` });
  for (const k of Object.keys(doc.latency.countries)) if (!codes.has(k)) problems.push({ where: `${source}: latency.countries.${k}`, message: 'unknown country (not a country of the world)' });
  if (Array.isArray(doc.survive)) {
    doc.survive.forEach((d, i) => { if (!ctx.dcs.includes(d)) problems.push({ where: `${source}: survive[${i}]`, message: `"${d}" is not a DC of the placement (${ctx.dcs.join(', ')})` }); });
  }
  for (const d of Object.keys(doc.maxNodes)) if (!ctx.dcs.includes(d)) problems.push({ where: `${source}: maxNodes.${d}`, message: `"${d}" is not a DC of the placement (${ctx.dcs.join(', ')})` });
  if (problems.length > 0) throw new ValidationError(`${source} is invalid`, problems);
  return doc;
}

/**
 * A country's RTT budget: its own, else its region's, else the default.
 * @param i intents
 * @param code country code
 * @param region its region
 * @returns budget, ms
 */
export function budgetOf(i: Intents, code: string, region: string): number {
  return i.latency.countries[code] ?? i.latency.regions[region] ?? i.latency.defaultBudgetMs;
}

/**
 * The intents in the solver's terms.
 * @param i intents
 * @param ctx placement DCs and planner defaults
 * @returns spares, utilization cap, losses to survive, penalty, cost cap
 */
export function placementIntents(i: Intents, ctx: Pick<IntentsContext, 'dcs' | 'planner'>): PlacementIntents {
  return {
    spares: i.spares ?? ctx.planner.redundancy,
    maxUtilization: i.maxUtilization ?? ctx.planner.targetUtilization,
    survive: i.survive === 'any-one' ? [...ctx.dcs] : i.survive === 'none' ? [] : [...i.survive],
    latencyPenaltyPerRps: i.latency.penaltyPerRpsMs,
    ...(i.costCapPerMonth !== undefined ? { costCapPerMonth: i.costCapPerMonth } : {}),
  };
}
