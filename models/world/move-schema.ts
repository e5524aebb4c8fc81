/**
 * Schema of a world's `move` (docs/formats.md): a migration out of one site, in waves. Each wave moves the services
 * and data of some countries to another site from a stated period, over a link of stated bandwidth, round trip and
 * loss in each direction (outbound from the site left, inbound to it); the copy is bulk, then catch-up replication of
 * what is written meanwhile, then a cut-over with writes held.
 */
import { z } from 'zod';

const Quarter = z.string().regex(/^\d{4}Q[1-4]$/, 'must be a quarter like 2027Q1');
const CountryCode = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code like DE');

const Direction = z.object({
  /** Capacity of the path bought or leased for the copy, Gbit/s. */
  bandwidthGbps: z.number().positive().max(10_000),
  /** Packet loss rate on the path (0.01 = 1%). */
  lossRate: z.number().min(0).max(0.5, 'at most 0.5'),
}).strict();

/** The link a move copies over. */
export const LinkSchema = z.object({
  /** From the site left towards the new sites: the bulk copy and catch-up use it. */
  outbound: Direction,
  /** Towards the site left: a roll-back's copy uses it. */
  inbound: Direction,
  /** Round trip between the sites, ms (a wave may state its own). */
  rttMs: z.number().positive().max(2000),
  /** Parallel TCP streams of the copy tool. */
  streams: z.number().int().min(1).max(100_000),
  /** TCP maximum segment size, bytes. */
  mssBytes: z.number().int().min(500).max(9000).default(1460),
  reasoning: z.string().optional(),
}).strict();

/** Schema of a world's `move`. */
export const MoveSchema = z.object({
  about: z.string().optional(),
  /** The site the services leave. */
  from: z.string().min(1),
  link: LinkSchema,
  /** Catch-up rounds stop once what is left copies within this many hours; the cut-over then holds writes. */
  catchUpHours: z.number().positive().max(168).default(1),
  /** Hours writes are held at the cut-over (the last delta, checks, DNS and client switch). */
  cutoverHours: z.number().nonnegative().max(168).default(4),
  waves: z.array(z.object({
    /** The site the wave's countries move to. */
    to: z.string().min(1),
    /** The period the copy starts in (at its first day). */
    start: Quarter,
    /** The countries that move (default: those the world's placement serves from `to`). */
    countries: z.array(CountryCode).min(1).optional(),
    /** Round trip between the two sites, ms (default the link's). */
    rttMs: z.number().positive().max(2000).optional(),
  }).strict()).min(1).max(100),
}).strict();

/** A world's move as written. */
export type MoveSpec = z.output<typeof MoveSchema>;
