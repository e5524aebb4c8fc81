/**
 * Schemas of the routing data files (the world's RTT tables, the world's residency rules, the world's placements), owned by the model
 * that decides where each country is served; the stacks validate the same files with these schemas.
 */
import { z } from 'zod';

const Country = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code like CN');

/** Schema of the world's residency rules: ordered rules, the first matching a country decides; the last must be "*". */
export const ResidencySchema = z.object({
  schema: z.literal('caplab.residency/v1'),
  rules: z.array(z.object({
    name: z.string().min(1),
    countries: z.union([z.literal('*'), z.array(Country).min(1)]),
    dcs: z.array(z.string().min(1)),
    source: z.string().min(1),
  }).loose()).min(1),
}).loose().superRefine((r, ctx) => {
  const last = r.rules[r.rules.length - 1];
  if (last && last.countries !== '*') {
    ctx.addIssue({ code: 'custom', path: ['rules', r.rules.length - 1, 'countries'], message: 'the last rule must be the catch-all "*"' });
  }
});

/** Parsed the world's residency rules. */
export type Residency = z.output<typeof ResidencySchema>;

/** Schema of the world's RTT tables: median round trip (ms) from a client country to each DC, with a `default`. */
export const RttSchema = z.object({
  schema: z.literal('caplab.rtt/v1'),
  sources: z.array(z.string().min(1)).min(1),
  dcs: z.record(z.string(), z.record(z.string().regex(/^(?:[A-Z]{2}|default)$/, 'must be a country code or "default"'), z.number().nonnegative())),
  jitter: z.object({ sigma: z.number().nonnegative(), reasoning: z.string().min(1) }).loose(),
}).loose().superRefine((r, ctx) => {
  for (const [dc, table] of Object.entries(r.dcs)) {
    if (!('default' in table)) ctx.addIssue({ code: 'custom', path: ['dcs', dc, 'default'], message: 'missing: RTT for countries not listed' });
  }
});

/** Parsed the world's RTT tables. */
export type Rtt = z.output<typeof RttSchema>;

/** Schema of a placement: the DCs in service and optional forced country -> DC assignments. */
export const PlacementSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  dcs: z.array(z.string().min(1)).min(1),
  assign: z.record(Country, z.string().min(1)).optional(),
}).loose().superRefine((p, ctx) => {
  for (const [country, dc] of Object.entries(p.assign ?? {})) {
    if (!p.dcs.includes(dc)) ctx.addIssue({ code: 'custom', path: ['assign', country], message: `"${dc}" is not one of the placement's dcs (${p.dcs.join(', ')})` });
  }
});

/** A placement. */
export type Placement = z.output<typeof PlacementSchema>;

/** Schema of a placement file given with `--placement <file>`. */
export const PlacementFileSchema = PlacementSchema.and(z.object({ schema: z.literal('caplab.placement/v1') }));

/** Schema of the world's placements: the built-in placements by name. */
export const PlacementsSchema = z.object({
  schema: z.literal('caplab.placements/v1'),
  placements: z.record(z.string(), PlacementSchema),
}).loose();
