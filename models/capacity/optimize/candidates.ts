/**
 * `caplab.candidates/v1`: what-if sites for the placement optimizer (`caplab plan --optimize --candidates F`). Each
 * site has a price per node-month, the median RTT from every country (as the world's RTT tables, with a `default`), the DC
 * whose residency it shares (a second mainland China site is allowed wherever Beijing is) and whose node capacity
 * it has, and optionally a site limit. Validated with every problem listed.
 */
import { z } from 'zod';
import { type Problem, ValidationError } from '../../errors.ts';
import type { Rtt } from '../../routing/settings.ts';
import { formatPath } from '../../validation.ts';

const SiteSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case letters, digits and -'),
  about: z.string().optional(),
  /** A DC of the placement whose residency rules the site follows (same jurisdiction). */
  residencyAs: z.string().min(1),
  /** A DC of the placement whose per-node capacity the site has (default: residencyAs). */
  capacityAs: z.string().min(1).optional(),
  pricePerNodeMonth: z.number().positive(),
  rttMs: z.record(z.string().regex(/^(?:[A-Z]{2}|default)$/, 'must be a country code or "default"'), z.number().nonnegative())
    .refine((t) => 'default' in t, 'needs a "default" RTT for countries not listed'),
  maxNodes: z.number().int().positive().optional(),
});

/** Schema of a candidates file. */
export const CandidatesSchema = z.strictObject({
  schema: z.literal('caplab.candidates/v1'),
  about: z.string().optional(),
  sites: z.array(SiteSchema).min(1),
});

/** A validated candidates file. */
export type Candidates = z.output<typeof CandidatesSchema>;

/**
 * Validates a candidates document against the placement it extends, listing every problem.
 * @param value parsed JSON or YAML
 * @param source file name for messages
 * @param dcs DCs of the placement
 * @returns the candidates
 * @throws {ValidationError} with every problem and its path
 */
export function parseCandidates(value: unknown, source: string, dcs: readonly string[]): Candidates {
  const r = CandidatesSchema.safeParse(value);
  if (!r.success) throw new ValidationError(`${source} is invalid`, r.error.issues.map((i) => ({ where: `${source}: ${formatPath(i.path)}`, message: i.message })));
  const problems: Problem[] = [];
  const seen = new Set<string>();
  r.data.sites.forEach((s, i) => {
    if (dcs.includes(s.name) || seen.has(s.name)) problems.push({ where: `${source}: sites[${i}].name`, message: `"${s.name}" is already ${dcs.includes(s.name) ? 'a DC of the placement' : 'listed'}` });
    seen.add(s.name);
    for (const key of ['residencyAs', 'capacityAs'] as const) {
      const dc = s[key];
      if (dc !== undefined && !dcs.includes(dc)) problems.push({ where: `${source}: sites[${i}].${key}`, message: `"${dc}" is not a DC of the placement (${dcs.join(', ')})` });
    }
  });
  if (problems.length > 0) throw new ValidationError(`${source} is invalid`, problems);
  return r.data;
}

/**
 * The RTT table with the sites' rows added.
 * @param rtt the world's RTT tables
 * @param sites the what-if sites
 * @returns a new table
 */
export function rttWithSites(rtt: Rtt, sites: readonly Candidates['sites'][number][]): Rtt {
  return { ...rtt, dcs: { ...rtt.dcs, ...Object.fromEntries(sites.map((s) => [s.name, { ...s.rttMs }])) } };
}
