import { describe, expect, it } from 'vitest';
import { BUILTIN_METRICS } from '../../../../scenarios/engine/metrics/builtin.ts';
import { createRegistry } from '../../../../scenarios/engine/metrics/registry.ts';
import { buildSummaryData } from '../../../../scenarios/engine/outputs/summary-json.ts';
import { humanizeBytes, humanizeDuration, textSummary } from '../../../../scenarios/engine/outputs/text-summary.ts';
import type { K6SummaryData } from '../../../../scenarios/engine/outputs/summary-schema.ts';

const DATA: K6SummaryData = {
  root_group: {
    name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: [{
      name: 'sync', path: '::sync', id: '0'.repeat(32), groups: [],
      checks: [{ name: 'status is 200', path: '::sync::status is 200', id: '1'.repeat(32), passes: 45, fails: 45 }],
    }],
    checks: [{ name: 'is up', path: '::is up', id: '2'.repeat(32), passes: 3, fails: 0 }],
  },
  options: { summaryTrendStats: ['avg', 'p(95)'], summaryTimeUnit: '', noColor: true },
  state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 41_200 },
  metrics: {
    http_reqs: { type: 'counter', contains: 'default', values: { count: 180, rate: 4.369380 } },
    http_req_duration: { type: 'trend', contains: 'time', values: { avg: 144.5612, 'p(95)': 1140.2 }, thresholds: { 'p(95)<500': { ok: false } } },
    'http_req_duration{expected_response:true}': { type: 'trend', contains: 'time', values: { avg: 0.45, 'p(95)': 0.0004 } },
    http_req_failed: { type: 'rate', contains: 'default', values: { rate: 0, passes: 0, fails: 180 }, thresholds: { 'rate<0.01': { ok: true } } },
    data_received: { type: 'counter', contains: 'data', values: { count: 1_300_000, rate: 31_000 } },
    vus: { type: 'gauge', contains: 'default', values: { value: 1, min: 1, max: 19 } },
  },
};

describe('textSummary', () => {
  it('lays out checks, groups and metrics like k6\'s end-of-test summary', () => {
    expect(textSummary(DATA, { colors: false })).toBe([
      '',
      '     ✓ is up',
      '',
      '     █ sync',
      '',
      '       ✗ status is 200',
      '        ↳  50% — ✓ 45 / ✗ 45',
      '',
      '     data_received..................: 1.3 MB 31 kB/s',
      '   ✗ http_req_duration..............: avg=144.56ms p(95)=1.14s',
      '       { expected_response:true }...: avg=450µs    p(95)=400ns',
      '   ✓ http_req_failed................: 0.00%  ✓ 0       ✗ 180',
      '     http_reqs......................: 180    4.36938/s',
      '     vus............................: 1      min=1     max=19',
      '',
      '',
    ].join('\n'));
  });

  it('prints the engine\'s http_req_duration{expected_response:true} indented under http_req_duration, as k6 does', () => {
    const reg = createRegistry({ thresholds: {}, summaryTrendStats: ['avg', 'max'] });
    const d = BUILTIN_METRICS.http_req_duration!;
    for (const [value, expected] of [[10, 'true'], [30, 'true'], [900, 'false']] as const) {
      reg.add({ metric: d, time: 1_700_000_000_000, value, tags: { expected_response: expected } });
    }
    const data = buildSummaryData(reg, { testRunDurationMs: 1000, isStdOutTTY: false, isStdErrTTY: false },
      { summaryTrendStats: ['avg', 'max'], noColor: true });
    expect(textSummary(data, { colors: false })).toBe([
      '',
      '     http_req_duration..............: avg=313.33ms max=900ms',
      '       { expected_response:true }...: avg=20ms     max=30ms',
      '',
      '',
    ].join('\n'));
  });

  it('colours only when asked', () => {
    expect(textSummary(DATA, { colors: true })).toContain('\x1b[31m✗\x1b[0m');
    expect(textSummary(DATA, { colors: false })).not.toContain('\x1b[');
  });
});

describe('humanizers', () => {
  it('format durations and bytes as k6 does', () => {
    expect([0, 0.0004, 0.45, 3.256, 1500, 150_000, 3_723_000].map((v) => humanizeDuration(v)))
      .toEqual(['0s', '400ns', '450µs', '3.25ms', '1.5s', '2m30s', '1h2m3s']);
    expect(humanizeDuration(1500, 's')).toBe('1.50s');
    expect(humanizeDuration(1.5, 'us')).toBe('1500.00µs');
    expect([5, 999, 31_000, 1_300_000, 2.5e9].map(humanizeBytes)).toEqual(['5 B', '999 B', '31 kB', '1.3 MB', '2.5 GB']);
  });
});
