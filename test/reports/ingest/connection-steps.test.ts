import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createConnectionStepSink } from '../../../reports/ingest/connection-steps.ts';
import { readK6Ndjson } from '../../../reports/ingest/ndjson.ts';
import { BUILTIN_METRICS } from '../../../scenarios/engine/metrics/builtin.ts';
import type { MetricDef } from '../../../scenarios/engine/metrics/types.ts';

const M = BUILTIN_METRICS;
const t0 = Date.UTC(2026, 0, 1);

// 20 echo reply times, shuffled. Sorted: 11..25 (15 values), 28, 30, 40, 60, 90.
// k6 p95: rank 0.95 * 19 = 18.05 -> s[18] + 0.05 * (s[19] - s[18]) = 60 + 0.05 * 30 = 61.5.
// Mean: (11 + 25) * 15 / 2 = 270, + 28 + 30 + 40 + 60 + 90 = 518; 518 / 20 = 25.9.
const REPLIES = [12, 15, 11, 14, 13, 16, 18, 17, 19, 20, 22, 21, 25, 24, 23, 30, 28, 40, 90, 60];

describe('connection step sink', () => {
  it('measures replies and checks after warm-up, handshakes over the whole step', () => {
    const sink = createConnectionStepSink();
    const tags = { sessions: '100', scenario: 'sessions_100' };
    const add = (metric: MetricDef, time: number, value: number, extra: Record<string, string> = {}): void =>
      sink.add({ metric, time, value, tags: { ...tags, ...extra } });
    // 100 sessions opened in the first 100 ms: all during the 5 s warm-up.
    for (let i = 0; i < 100; i++) {
      add(M.ws_sessions!, t0 + i, 1, { status: '101' });
      add(M.checks!, t0 + i + 1, 1);
    }
    // ws_connecting: 3, 1, 4, 1, 5 -> sorted 1, 1, 3, 4, 5; rank 0.95 * 4 = 3.8 -> 4 + 0.8 * (5 - 4) = 4.8.
    for (const [i, v] of [3, 1, 4, 1, 5].entries()) add(M.ws_connecting!, t0 + i, v);
    // Warm-up replies (slow, and a failed receive) that the window leaves out; 4999 ms is the last excluded instant.
    for (const at of [1000, 2000, 4999]) {
      add(M.caplab_ws_reply_duration!, t0 + at, 500);
      add(M.checks!, t0 + at, 0);
    }
    // The window: the 20 replies from 5 s (included: the window starts there) to 24 s, one receive check each.
    REPLIES.forEach((v, i) => {
      add(M.caplab_ws_reply_duration!, t0 + 5000 + i * 1000, v);
      add(M.checks!, t0 + 5000 + i * 1000, 1);
    });
    // One timed-out receive and the step's last sample (an ignored metric still marks the step's end).
    add(M.checks!, t0 + 24_500, 0);
    add(M.ws_msgs_sent!, t0 + 25_000, 1);

    const [step] = sink.finish(5);
    expect(step).toMatchObject({
      level: 100, handshakes: 100, opened: 100, refused: 0, refusedBy: {},
      replies: 20, checks: 21, checksFailed: 1,
    });
    expect(step!.windowS).toBeCloseTo(20, 9);
    expect(step!.connectingP95Ms).toBeCloseTo(4.8, 9);
    expect(step!.replyP95Ms).toBeCloseTo(61.5, 9);
    expect(step!.replyMeanMs).toBeCloseTo(25.9, 9);
  });

  it('counts refusals made during warm-up, by status and with no answer', () => {
    const sink = createConnectionStepSink();
    const tags = { sessions: '200' };
    // 200 dials in the first second: 190 opened, 6 answered 503, 1 answered 403, 3 reset with no HTTP answer.
    for (let i = 0; i < 200; i++) {
      const status: Record<string, string> = i < 190 ? { status: '101' } : i < 196 ? { status: '503' } : i < 197 ? { status: '403' } : {};
      sink.add({ metric: M.ws_sessions!, time: t0 + i * 5, value: 1, tags: { ...tags, ...status } });
    }
    for (let i = 0; i < 10; i++) sink.add({ metric: M.caplab_ws_reply_duration!, time: t0 + 10_000 + i * 1000, value: 7, tags });
    const [step] = sink.finish(5);
    expect(step).toMatchObject({
      level: 200, handshakes: 200, opened: 190, refused: 10,
      refusedBy: { '403': 1, '503': 6, 'no answer': 3 },
      connectingP95Ms: null, replies: 10, replyP95Ms: 7, replyMeanMs: 7, checks: 0, checksFailed: 0,
    });
    expect(Object.keys(step!.refusedBy)).toEqual(['403', '503', 'no answer']);
    expect(step!.windowS).toBeCloseTo(14, 9);
  });

  it('ignores samples without a numeric sessions tag and sorts steps by level', () => {
    const sink = createConnectionStepSink();
    for (const level of ['300', '50']) {
      sink.add({ metric: M.ws_sessions!, time: t0, value: 1, tags: { sessions: level, status: '101' } });
      sink.add({ metric: M.caplab_ws_reply_duration!, time: t0 + 10_000, value: 9, tags: { sessions: level } });
    }
    // Untagged, empty and non-numeric tags: none is a step, and none moves a step's window or counts.
    const untagged: Record<string, string>[] = [{}, { sessions: '' }, { sessions: 'many' }, { scenario: 'sessions_50' }];
    for (const tags of untagged) {
      sink.add({ metric: M.ws_sessions!, time: t0 + 60_000, value: 1, tags });
      sink.add({ metric: M.caplab_ws_reply_duration!, time: t0 + 60_000, value: 1000, tags });
      sink.add({ metric: M.checks!, time: t0 + 60_000, value: 0, tags });
    }
    const steps = sink.finish(2);
    expect(steps.map((s) => s.level)).toEqual([50, 300]);
    for (const s of steps) expect(s).toMatchObject({ handshakes: 1, replies: 1, replyP95Ms: 9, checks: 0, windowS: 8 });
  });

  it('keeps the second half of a step shorter than its warm-up, and null figures without replies', () => {
    const sink = createConnectionStepSink();
    const tags = { sessions: '10' };
    sink.add({ metric: M.ws_sessions!, time: t0, value: 1, tags: { ...tags, status: '101' } });
    sink.add({ metric: M.checks!, time: t0 + 1000, value: 0, tags }); // first half: out
    sink.add({ metric: M.checks!, time: t0 + 3000, value: 0, tags }); // second half: in
    sink.add({ metric: M.ws_msgs_sent!, time: t0 + 4000, value: 1, tags });
    const [step] = sink.finish(30);
    expect(step).toMatchObject({ windowS: 2, replies: 0, replyP95Ms: null, replyMeanMs: null, checks: 1, checksFailed: 1 });
    expect(() => sink.finish(-1)).toThrow(RangeError);
  });

  it('reads k6 NDJSON text through readK6Ndjson', async () => {
    const at = (s: number): string => new Date(t0 + s * 1000).toISOString().replace('Z', '123+00:00');
    const metric = (name: string, type: string, contains: string): string =>
      JSON.stringify({ type: 'Metric', data: { type, contains, tainted: null, thresholds: [], submetrics: null }, metric: name });
    const point = (name: string, s: number, value: number, tags: Record<string, string> | null): string =>
      JSON.stringify({ type: 'Point', data: { time: at(s), value, tags }, metric: name });
    const lines = [
      metric('ws_sessions', 'counter', 'default'),
      point('ws_sessions', 0, 1, { sessions: '4', status: '101', scenario: 'sessions_4' }),
      point('ws_sessions', 0.1, 1, { sessions: '4', status: '101', scenario: 'sessions_4' }),
      point('ws_sessions', 0.2, 1, { sessions: '4', status: '503', scenario: 'sessions_4' }),
      point('ws_sessions', 0.3, 1, { sessions: '4', scenario: 'sessions_4' }),
      metric('ws_connecting', 'trend', 'time'),
      point('ws_connecting', 0, 2, { sessions: '4' }),
      point('ws_connecting', 0.1, 4, { sessions: '4' }),
      metric('caplab_ws_reply_duration', 'trend', 'time'),
      point('caplab_ws_reply_duration', 1, 999, { sessions: '4' }), // warm-up
      point('caplab_ws_reply_duration', 3, 10, { sessions: '4' }),
      point('caplab_ws_reply_duration', 4, 30, { sessions: '4' }),
      metric('checks', 'rate', 'default'),
      point('checks', 0, 1, { sessions: '4', check: 'status is 101' }),
      point('checks', 5, 0, { sessions: '4', check: 'echo received' }),
      metric('vus', 'gauge', 'default'),
      point('vus', 6, 4, null),
    ];
    const sink = createConnectionStepSink();
    const report = await readK6Ndjson(Readable.from([`${lines.join('\n')}\n`]), sink, 'points.ndjson');
    expect(report.points).toBe(12);
    const steps = sink.finish(2);
    // Window from 2 s to the step's last sample at 5 s (the vus point has no sessions tag).
    // Replies 10, 30: p95 rank 0.95 -> 10 + 0.95 * 20 = 29; connecting 2, 4: 2 + 0.95 * 2 = 3.9.
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({
      level: 4, handshakes: 4, opened: 2, refused: 2, refusedBy: { '503': 1, 'no answer': 1 },
      replies: 2, replyMeanMs: 20, checks: 1, checksFailed: 1,
    });
    expect(steps[0]!.windowS).toBeCloseTo(3, 9);
    expect(steps[0]!.replyP95Ms).toBeCloseTo(29, 9);
    expect(steps[0]!.connectingP95Ms).toBeCloseTo(3.9, 9);
  });
});
