/**
 * Copy time of a move, by hand. TCP throughput under loss: Mathis, Semke, Mahdavi and Ott, "The Macroscopic Behavior
 * of the TCP Congestion Avoidance Algorithm" (ACM CCR 27(3), 1997): rate <= MSS / RTT x sqrt(3/2) / sqrt(p). A bulk
 * copy, then catch-up rounds each copying what was written during the one before (a geometric series of ratio
 * write rate / throughput), until what is left copies within the catch-up window.
 */
import { describe, expect, it } from 'vitest';
import { copyTime, mathisBps, planMove } from '../../../../models/capacity/resources/move.ts';
import type { ResourcePlan } from '../../../../models/capacity/resources/types.ts';
import type { Rtt } from '../../../../models/routing/settings.ts';
import type { Plan, Traffic } from '../../../../models/types.ts';
import type { MoveSpec } from '../../../../models/world/move-schema.ts';

describe('mathisBps', () => {
  it('gives the loss-limited rate of one stream', () => {
    // 1460 B x 8 / 0.1 s = 116,800 bit/s, x 1.2247 / sqrt(0.01) = 1,430,502 bit/s
    expect(mathisBps(1460, 100, 0.01)).toBeCloseTo(116_800 * Math.sqrt(1.5) / 0.1, 3);
    expect(mathisBps(1460, 100, 0.01) / 1e6).toBeCloseTo(1.4305, 4);
    expect(mathisBps(1460, 100, 0)).toBe(Infinity);
  });
});

describe('copyTime', () => {
  it('copies 10 TB over 64 lossy streams, then catches up in rounds', () => {
    const thr = 64 * mathisBps(1460, 100, 0.01) / 8; // 11,444,017 B/s (91.6 Mbit/s: the loss, not a 1 Gbit/s link, limits it)
    const bulk = 1e13 / thr; // 873,819 s = 242.7 h
    const r = 1e6 / thr; // 1 MB/s of writes: 0.0874 of the throughput
    const c = copyTime(1e13, 1e6, thr, 3600);
    expect(c.bulk).toBeCloseTo(bulk, 6);
    // Round 1: bulk x r = 76,356 s (> 1 h); round 2: 6,672 s (> 1 h); round 3 would be 583 s: within the hour, so the
    // cut-over copies it.
    expect(c.rounds).toBe(2);
    expect(c.catchUp).toBeCloseTo(bulk * r + bulk * r * r, 6);
    expect(c.lastDelta).toBeCloseTo(bulk * r ** 3, 6);
    expect(c.lastDelta).toBeLessThan(3600);
  });

  it('needs no round when the bulk copy\'s delta already fits the window', () => {
    const c = copyTime(1e12, 1e3, 1e8, 3600);
    expect(c.rounds).toBe(0);
    expect(c.catchUp).toBe(0);
    expect(c.lastDelta).toBeCloseTo(1e4 * 1e-5, 12);
  });

  it('never converges when writes outpace the link', () => {
    const c = copyTime(1e12, 2e8, 1e8, 3600);
    expect(c.catchUp).toBeNull();
    expect(c.rounds).toBeNull();
  });
});

describe('planMove', () => {
  // One site left (old) and one wave to new in 2030Q2: countries A (75% of new's demand) and B (25%) served there.
  const band = (v: number) => ({ p50: v, p90: v });
  const traffic = {
    routing: [{ country: 'A', dc: 'new' }, { country: 'B', dc: 'new' }, { country: 'C', dc: 'old' }],
    dcs: {
      new: ['2030Q1', '2030Q2'].map((quarter) => ({ quarter, countries: { A: { flashSaleRps: band(300) }, B: { flashSaleRps: band(100) } } })),
      old: ['2030Q1', '2030Q2'].map((quarter) => ({ quarter, countries: { C: { flashSaleRps: band(50) } } })),
    },
  } as unknown as Traffic;
  const quarter = (q: string, storedTB: number, writeBps: number) => ({
    quarter: q, storedTB: { p10: storedTB / 2, p50: storedTB, p90: storedTB * 2 },
    byService: { photos: { writeBytesPerSecond: writeBps } },
  });
  const resources = { sites: { new: { quarters: [quarter('2030Q1', 10, 1e6), quarter('2030Q2', 20, 4e6)] } } } as unknown as ResourcePlan;
  const plan = { dcs: { new: { quarters: [{ planned: 10 }, { planned: 12 }] } } } as unknown as Plan;
  const rtt = { schema: 'caplab.rtt/v1', sources: [], jitter: { sigma: 0.25, reasoning: 'r' }, dcs: { old: { A: 100, B: 120, default: 150 }, new: { A: 10, B: 20, default: 50 } } } as unknown as Rtt;
  const move: MoveSpec = {
    from: 'old', catchUpHours: 1, cutoverHours: 4,
    link: { outbound: { bandwidthGbps: 1, lossRate: 0 }, inbound: { bandwidthGbps: 0.5, lossRate: 0 }, rttMs: 100, streams: 8, mssBytes: 1460 },
    waves: [{ to: 'new', start: '2030Q2' }, { to: 'new', start: '2031Q1' }],
  };

  it('copies the wave\'s share of the destination\'s data at the link\'s bandwidth, holds its nodes at the source, and says what it could not plan', () => {
    const m = planMove({ move, traffic, plan, resources, rtt, fromPricePerNodeMonth: 300 });
    const w = m.waves[0]!;
    expect(w.countries).toEqual(['A', 'B']);
    expect(w.share).toBe(1);
    expect(w.startDate).toBe('2030-04-01');
    // 20 TB at 1 Gbit/s = 125 MB/s: 160,000 s = 44.44 h; writes 4 MB/s: ratio 0.032, round 1 = 5,120 s (> 1 h),
    // round 2 = 163.8 s (within the hour): 1 round; cut-over max(4 h, 5.2 s) = 4 h.
    expect(w.limitedBy).toBe('bandwidth');
    expect(w.hours.bulk).toBeCloseTo(160_000 / 3600, 9);
    expect(w.rounds).toBe(1);
    expect(w.hours.catchUp).toBeCloseTo(5_120 / 3600, 9);
    expect(w.hours.cutover).toBe(4);
    expect(w.hours.total).toBeCloseTo((160_000 + 5_120) / 3600 + 4, 9);
    expect(w.endDate).toBe('2030-04-03');
    // The source keeps new's 12 planned nodes for the copy's 52.3 h: 12 x 300 x 52.3 / 730.5 h a month
    expect(w.held.nodes).toBe(12);
    expect(w.held.cost).toBe(Math.round(12 * 300 * w.hours.total! / (24 * 365.25 / 12)));
    // Rolling back: the data and what was written meanwhile, over 0.5 Gbit/s inbound
    expect(w.rollbackHours).toBeCloseTo((20e12 + 4e6 * w.hours.total! * 3600) / 62.5e6 / 3600, 9);
    expect(w.latency).toEqual([{ country: 'A', before: 100, during: 100, after: 10 }, { country: 'B', before: 120, during: 120, after: 20 }]);
    expect(m.notes).toEqual(['the wave to new in 2031Q1 is not planned: 2031Q1 is outside the planned periods']);
  });

  it('moves only the named countries, in proportion to their demand', () => {
    const m = planMove({ move: { ...move, waves: [{ to: 'new', start: '2030Q1', countries: ['B', 'C'] }] }, traffic, plan, resources, rtt, fromPricePerNodeMonth: 300 });
    const w = m.waves[0]!;
    // B is 100 of new's 400 req/s; C is not served from new: left out, and said so.
    expect(w.countries).toEqual(['B']);
    expect(w.share).toBe(0.25);
    expect(w.dataTB.p50).toBeCloseTo(2.5, 12);
    expect(w.writeBytesPerSecond).toBeCloseTo(0.25e6, 6);
    expect(m.notes).toEqual(['the wave to new names C, which the placement does not serve from new: left out']);
  });
});
