/**
 * Latency and error budgets (`caplab.budgets/v1`): one format for the campaign, the scenario builder and the gate.
 * A budget names a service (and optionally a DC) and limits p95/p99 latency end to end and server side, the error
 * rate and dropped iterations. {@link budgetsToThresholds} turns them into k6 thresholds scoped by scenario and tags,
 * so the engine, real k6 and the gate all judge a run by the same expressions.
 */
import { z } from 'zod';
import type { Problem } from '../models/errors.ts';
import { parseWith } from '../models/validation.ts';
import { Duration } from './executor-schema.ts';

const Limits = {
  /** End-to-end p95 of `http_req_duration` (what the device sees, RTT included), ms. */
  p95: Duration.optional(),
  /** End-to-end p99, ms. */
  p99: Duration.optional(),
  /** Server-side p95: `http_req_waiting` (time to first byte) measured next to the node, ms. */
  serverP95: Duration.optional(),
  /** Server-side p99, ms. */
  serverP99: Duration.optional(),
  /** Largest acceptable share of failed requests (`http_req_failed` rate), 0..1. */
  errorRate: z.number().min(0).max(1).optional(),
  /** Largest acceptable number of dropped iterations (open model). */
  droppedIterations: z.number().int().nonnegative().optional(),
};

/** One budget: limits for a service, optionally only in one DC. */
export const BudgetSchema = z.strictObject({ service: z.string().min(1), dc: z.string().min(1).optional(), ...Limits });

/** The `caplab.budgets/v1` document. */
export const BudgetsSchema = z.strictObject({
  schema: z.literal('caplab.budgets/v1'),
  /** Limits applying to every service unless a budget overrides them. */
  defaults: z.strictObject(Limits).default({}),
  budgets: z.array(BudgetSchema).default([]),
}).superRefine((doc, ctx) => {
  const seen = new Set<string>();
  doc.budgets.forEach((b, i) => {
    const key = `${b.service}@${b.dc ?? '*'}`;
    if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['budgets', i], message: `duplicate budget for service "${b.service}"${b.dc ? ` in "${b.dc}"` : ''}` });
    seen.add(key);
  });
});

/** Validated budgets; durations in ms. */
export type Budgets = z.output<typeof BudgetsSchema>;
/** One validated budget. */
export type Budget = z.output<typeof BudgetSchema>;
type LimitSet = Omit<Budget, 'service' | 'dc'>;

/**
 * Validates a budgets document.
 * @param value parsed JSON/YAML
 * @param source where it came from, for messages
 * @returns the budgets with durations in ms
 * @throws {ValidationError} listing every problem with its JSON path
 */
export function parseBudgets(value: unknown, source: string): Budgets {
  return parseWith(BudgetsSchema, value, source);
}

/**
 * The limits that apply to a service in a DC: the DC-specific budget over the service-wide one over the defaults.
 * @param budgets validated budgets
 * @param service service name
 * @param dc data center, or undefined for any
 * @returns the merged limits
 */
export function limitsFor(budgets: Budgets, service: string, dc?: string): LimitSet {
  const generic = budgets.budgets.find((b) => b.service === service && b.dc === undefined);
  const specific = dc === undefined ? undefined : budgets.budgets.find((b) => b.service === service && b.dc === dc);
  const merged: LimitSet = { ...budgets.defaults };
  for (const b of [generic, specific]) {
    if (!b) continue;
    for (const [k, v] of Object.entries(b)) if (k !== 'service' && k !== 'dc' && v !== undefined) (merged as Record<string, unknown>)[k] = v;
  }
  return merged;
}

/** Budget fields judged on `http_req_waiting` (server side). */
export const SERVER_SIDE_FIELDS = ['serverP95', 'serverP99'] as const;

/**
 * The server-side limits a set of budgets sets, as problems for a reader that cannot measure them: a campaign's
 * replay crosses the WAN (the built-in stacks' modeled delay, or the real one to `targets`), which lands before the
 * first byte, so its `http_req_waiting` is not server time and no campaign run judges these limits. A campaign refuses them when it reads its budgets (so they never
 * sit in a budgets file as limits nothing checks); the gate refuses them on results that lack server-side samples.
 * @param budgets validated budgets
 * @param source where they came from (file, or file and key), for `where`
 * @returns one problem per server-side field set, with its JSON path (empty when there are none)
 * @example serverSideLimitProblems(parseBudgets(doc, 'b.json'), 'b.json')
 *   // [{ where: 'b.json: defaults.serverP95', message: 'server-side limit (http_req_waiting) ... ' }]
 */
export function serverSideLimitProblems(budgets: Budgets, source: string): Problem[] {
  const message = 'a server-side limit (http_req_waiting) no campaign run can measure: the replay crosses the WAN (modeled, or ' +
    'real with targets), which lands before the first byte. Use p95/p99 (end to end), or judge server-side limits with caplab gate ' +
    'on a run next to the node';
  const out: Problem[] = [];
  for (const f of SERVER_SIDE_FIELDS) if (budgets.defaults[f] !== undefined) out.push({ where: `${source}: defaults.${f}`, message });
  budgets.budgets.forEach((b, i) => {
    for (const f of SERVER_SIDE_FIELDS) if (b[f] !== undefined) out.push({ where: `${source}: budgets[${i}].${f}`, message });
  });
  return out;
}

/** Where budgets are applied: which scenario, DC and tag carries the service name. */
export interface BudgetScope {
  /** Scenario name the thresholds are scoped to (k6 `scenario` tag). */
  scenario: string;
  /** Data center whose budgets apply (DC-specific budgets win). */
  dc?: string;
  /** Services to emit thresholds for (default: every service named in the budgets). */
  services?: string[];
  /** Request tag that carries the service (default `service`). */
  serviceTag?: string;
  /** Abort the run as soon as a latency or error threshold is crossed (k6 `abortOnFail`). */
  abortOnFail?: boolean;
}

type ThresholdValue = string | { threshold: string; abortOnFail: boolean; delayAbortEval?: string };

function fmt(ms: number): string {
  return String(Math.round(ms * 1000) / 1000);
}

/**
 * Translates budgets into k6 `options.thresholds` for one scenario: per service
 * `http_req_duration{scenario:S,service:X}: p(95)<A, p(99)<B`, `http_req_waiting{...}` for the server-side limits,
 * `http_req_failed{...}: rate<E`, and once per scenario `dropped_iterations{scenario:S}: count<=D` (the strictest D).
 * Keys are in k6 syntax, so the result can go into a scenario spec or a k6 script unchanged.
 * @param budgets validated budgets
 * @param scope scenario, DC, services and tag name
 * @returns thresholds keyed by k6 metric expression
 * @example budgetsToThresholds(b, { scenario: 'peak', dc: 'singapore' })
 *   // { 'http_req_duration{scenario:peak,service:contacts}': ['p(95)<300'], ... }
 */
export function budgetsToThresholds(budgets: Budgets, scope: BudgetScope): Record<string, ThresholdValue[]> {
  const tag = scope.serviceTag ?? 'service';
  const services = scope.services ?? [...new Set(budgets.budgets.map((b) => b.service))];
  const out: Record<string, ThresholdValue[]> = {};
  const push = (key: string, expr: string): void => {
    const v: ThresholdValue = scope.abortOnFail ? { threshold: expr, abortOnFail: true, delayAbortEval: '10s' } : expr;
    (out[key] ??= []).push(v);
  };
  let dropped: number | undefined;
  for (const service of services) {
    const l = limitsFor(budgets, service, scope.dc);
    const sel = `{scenario:${scope.scenario},${tag}:${service}}`;
    if (l.p95 !== undefined) push(`http_req_duration${sel}`, `p(95)<${fmt(l.p95)}`);
    if (l.p99 !== undefined) push(`http_req_duration${sel}`, `p(99)<${fmt(l.p99)}`);
    if (l.serverP95 !== undefined) push(`http_req_waiting${sel}`, `p(95)<${fmt(l.serverP95)}`);
    if (l.serverP99 !== undefined) push(`http_req_waiting${sel}`, `p(99)<${fmt(l.serverP99)}`);
    if (l.errorRate !== undefined) push(`http_req_failed${sel}`, `rate<${l.errorRate}`);
    if (l.droppedIterations !== undefined) dropped = Math.min(dropped ?? Infinity, l.droppedIterations);
  }
  // dropped_iterations carries only the scenario tag in k6, so it cannot be split per service.
  if (dropped !== undefined) (out[`dropped_iterations{scenario:${scope.scenario}}`] ??= []).push(`count<=${dropped}`);
  return out;
}
