/**
 * The move itself: for each wave, the data its countries keep at the site left, the time to copy it over the link
 * (a bulk copy, then rounds of catch-up replication of what is written meanwhile, then a cut-over with writes held),
 * the application nodes the site left keeps for them until the cut-over and what running both costs, the latency each
 * country sees before, during and after, and the time a roll-back's copy would take. Throughput is the lesser of the
 * link's bandwidth and its streams' TCP limit under loss (Mathis, Semke, Mahdavi and Ott, "The Macroscopic Behavior
 * of the TCP Congestion Avoidance Algorithm", CCR 1997: rate <= MSS / RTT x C / sqrt(p), C = sqrt(3/2)).
 */
import { rttBand } from '../../routing/rtt.ts';
import type { Rtt } from '../../routing/settings.ts';
import type { Plan, Traffic } from '../../types.ts';
import type { MoveSpec } from '../../world/move-schema.ts';
import type { MovePlan, MoveWave, ResourcePlan } from './types.ts';

/** Mathis et al.'s constant for periodic loss with delayed ACKs off: sqrt(3/2). */
const MATHIS_C = Math.sqrt(1.5);
/** A catch-up that has not converged after this many rounds never will at any useful pace. */
const MAX_ROUNDS = 1000;

/**
 * One TCP stream's throughput ceiling under loss (Mathis et al. 1997).
 * @param mssBytes segment size, bytes
 * @param rttMs round trip, ms
 * @param lossRate packet loss (0: no loss limit)
 * @returns bits per second (Infinity without loss)
 * @example mathisBps(1460, 100, 0.01) // 1460 x 8 / 0.1 x 1.2247 / 0.1 = 1.43 Mbit/s
 */
export function mathisBps(mssBytes: number, rttMs: number, lossRate: number): number {
  if (!(lossRate > 0)) return Infinity;
  return (mssBytes * 8) / (rttMs / 1000) * MATHIS_C / Math.sqrt(lossRate);
}

/**
 * Copy time with catch-up: the bulk copy of `bytes`, then rounds each copying what was written during the previous
 * one, until what is left copies within `catchUpSeconds`.
 * @param bytes data at the start
 * @param writeBps bytes written per second meanwhile
 * @param throughput bytes copied per second
 * @param catchUpSeconds the round length below which the cut-over copies the rest with writes held
 * @returns bulk and catch-up seconds, the rounds, and the last delta's copy time; catchUp null when writes outpace the copy
 * @example copyTime(1e12, 1e6, 1e8, 3600) // bulk 10,000 s; one round of 100 s is already within the hour: 0 rounds
 */
export function copyTime(bytes: number, writeBps: number, throughput: number, catchUpSeconds: number): { bulk: number; catchUp: number | null; rounds: number | null; lastDelta: number } {
  const bulk = bytes / throughput;
  const r = writeBps / throughput;
  let round = bulk;
  let catchUp = 0;
  let rounds = 0;
  while (round * r > catchUpSeconds) {
    if (r >= 1 || rounds >= MAX_ROUNDS) return { bulk, catchUp: null, rounds: null, lastDelta: Infinity };
    round *= r;
    catchUp += round;
    rounds++;
  }
  return { bulk, catchUp, rounds, lastDelta: round * r };
}

/** Inputs of {@link planMove}. */
export interface MoveInput {
  move: MoveSpec;
  traffic: Traffic;
  plan: Plan;
  resources: ResourcePlan;
  rtt: Rtt;
  /** Price of one application node a month at the site left. */
  fromPricePerNodeMonth: number;
}

/**
 * Plans a move's waves.
 * @param input the move, traffic, plans, RTTs and the site left's node price
 * @returns plan.json `move`
 */
export function planMove(input: MoveInput): MovePlan {
  const { move, traffic, resources } = input;
  const link = move.link;
  const direction = (d: MoveSpec['link']['outbound'], rttMs: number): { bytesPerSecond: number; limitedBy: 'bandwidth' | 'loss'; perStreamBps: number } => {
    const perStreamBps = mathisBps(link.mssBytes, rttMs, d.lossRate);
    const lossBound = perStreamBps * link.streams;
    const bw = d.bandwidthGbps * 1e9;
    return { bytesPerSecond: Math.min(bw, lossBound) / 8, limitedBy: lossBound < bw ? 'loss' : 'bandwidth', perStreamBps };
  };
  const notes: string[] = [];
  const waves: MoveWave[] = [];
  for (const wave of move.waves) {
    const quarters = traffic.dcs[wave.to];
    const qi = quarters?.findIndex((q) => q.quarter === wave.start) ?? -1;
    const site = resources.sites[wave.to];
    if (!quarters || qi < 0 || !site) {
      notes.push(`the wave to ${wave.to} in ${wave.start} is not planned: ${!quarters ? `the placement has no site ${wave.to}` : `${wave.start} is outside the planned periods`}`);
      continue;
    }
    const tq = quarters[qi]!;
    const served = Object.keys(tq.countries);
    const countries = wave.countries ?? traffic.routing.filter((r) => r.dc === wave.to).map((r) => r.country);
    const missing = countries.filter((c) => !served.includes(c));
    if (missing.length > 0) notes.push(`the wave to ${wave.to} names ${missing.join(', ')}, which the placement does not serve from ${wave.to}: left out`);
    const moving = countries.filter((c) => served.includes(c));
    const total = served.reduce((s, c) => s + tq.countries[c]!.flashSaleRps.p50, 0);
    const share = total > 0 ? moving.reduce((s, c) => s + tq.countries[c]!.flashSaleRps.p50, 0) / total : 0;
    const rq = site.quarters[qi]!;
    const dataTB = { p10: rq.storedTB.p10 * share, p50: rq.storedTB.p50 * share, p90: rq.storedTB.p90 * share };
    const writeBps = Object.values(rq.byService).reduce((s, b) => s + b.writeBytesPerSecond, 0) * share;
    const rttMs = wave.rttMs ?? link.rttMs;
    const out = direction(link.outbound, rttMs);
    const back = direction(link.inbound, rttMs);
    const copy = copyTime(dataTB.p50 * 1e12, writeBps, out.bytesPerSecond, move.catchUpHours * 3600);
    // The cut-over copies the last delta with writes held: at least the stated window. Never, when the copy never converges.
    const cutover = copy.catchUp === null ? null : Math.max(move.cutoverHours, copy.lastDelta / 3600);
    const totalHours = copy.catchUp === null || cutover === null ? null : (copy.bulk + copy.catchUp) / 3600 + cutover;
    const startDate = quarterStart(wave.start);
    const heldNodes = Math.ceil((input.plan.dcs[wave.to]?.quarters[qi]?.planned ?? 0) * share);
    const months = totalHours === null ? null : totalHours / (24 * 365.25 / 12);
    const rollbackBytes = dataTB.p50 * 1e12 + writeBps * (totalHours ?? 0) * 3600;
    waves.push({
      to: wave.to, start: wave.start, startDate, countries: moving, share, dataTB, writeBytesPerSecond: writeBps,
      throughputBytesPerSecond: out.bytesPerSecond, limitedBy: out.limitedBy,
      hours: { bulk: copy.bulk / 3600, catchUp: copy.catchUp === null ? null : copy.catchUp / 3600, cutover, total: totalHours },
      bulkHoursP90: dataTB.p90 * 1e12 / out.bytesPerSecond / 3600,
      rounds: copy.rounds,
      endDate: totalHours === null ? null : new Date(Date.parse(`${startDate}T00:00:00Z`) + totalHours * 3_600_000).toISOString().slice(0, 10),
      held: { nodes: heldNodes, months, cost: months === null ? null : Math.round(heldNodes * input.fromPricePerNodeMonth * months) },
      rollbackHours: rollbackBytes / back.bytesPerSecond / 3600,
      latency: moving.map((c) => {
        const before = rttBand(input.rtt, move.from, c).p50;
        return { country: c, before, during: before, after: rttBand(input.rtt, wave.to, c).p50 };
      }),
    });
  }
  const dir = (d: MoveSpec['link']['outbound']): MovePlan['link']['outbound'] => ({
    bandwidthGbps: d.bandwidthGbps, lossRate: d.lossRate, perStreamMbps: Math.min(mathisBps(link.mssBytes, link.rttMs, d.lossRate), d.bandwidthGbps * 1e9) / 1e6,
  });
  return {
    from: move.from,
    link: { outbound: dir(link.outbound), inbound: dir(link.inbound), rttMs: link.rttMs, streams: link.streams },
    catchUpHours: move.catchUpHours, cutoverHours: move.cutoverHours, waves, notes,
  };
}

/** The first day of a quarter like 2015Q2, ISO date. */
function quarterStart(label: string): string {
  const year = Number(label.slice(0, 4));
  const q = Number(label.slice(5));
  return `${year}-${String((q - 1) * 3 + 1).padStart(2, '0')}-01`;
}
