/**
 * k6's executors as a scenario spec's `options.scenarios` states them (k6 lib/executor): the six executor configs with
 * k6's defaults, their ramp stages, and k6's duration values, parsed to milliseconds. Part of the scenario spec
 * (spec.ts), which validates the rest.
 */
import { z } from 'zod';
import { durationProblem, parseDurationMs } from './duration.ts';

/** A k6 duration (string like `10s` or number of ms), parsed to milliseconds. */
export const Duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const problem = durationProblem(v);
  if (problem !== undefined) {
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  }
  return parseDurationMs(v)!;
});

const Count = z.number().int().nonnegative();
const Positive = z.number().int().positive();
const StringMap = z.record(z.string(), z.string());

const Base = {
  startTime: Duration.default(0),
  gracefulStop: Duration.default(30_000),
  exec: z.string().min(1).default('default'),
  env: StringMap.default({}),
  tags: StringMap.default({}),
};

/** One ramp stage: reach `target` (VUs or iterations per timeUnit) linearly over `duration`. */
export const StageSchema = z.strictObject({ duration: Duration, target: Count });

const ConstantVus = z.strictObject({ executor: z.literal('constant-vus'), ...Base, vus: Count.default(1), duration: Duration });
const RampingVus = z.strictObject({
  executor: z.literal('ramping-vus'), ...Base,
  startVUs: Count.default(1), stages: z.array(StageSchema).min(1), gracefulRampDown: Duration.default(30_000),
});
const ConstantArrivalRate = z.strictObject({
  executor: z.literal('constant-arrival-rate'), ...Base,
  rate: Positive, timeUnit: Duration.default(1000), duration: Duration, preAllocatedVUs: Count, maxVUs: Count.optional(),
});
const RampingArrivalRate = z.strictObject({
  executor: z.literal('ramping-arrival-rate'), ...Base,
  startRate: Count.default(0), timeUnit: Duration.default(1000), stages: z.array(StageSchema).min(1),
  preAllocatedVUs: Count, maxVUs: Count.optional(),
});
const PerVuIterations = z.strictObject({
  executor: z.literal('per-vu-iterations'), ...Base, vus: Positive.default(1), iterations: Positive.default(1),
  maxDuration: Duration.default(600_000),
});
const SharedIterations = z.strictObject({
  executor: z.literal('shared-iterations'), ...Base, vus: Positive.default(1), iterations: Positive.default(1),
  maxDuration: Duration.default(600_000),
});

/** One scenario of `options.scenarios`, with k6's defaults applied; durations in milliseconds. */
export const ScenarioSchema = z.discriminatedUnion('executor', [
  ConstantVus, RampingVus, ConstantArrivalRate, RampingArrivalRate, PerVuIterations, SharedIterations,
]);
