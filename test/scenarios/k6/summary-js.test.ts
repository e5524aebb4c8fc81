import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hash32, streamKey, toUnit } from '../../../models/random.ts';
import type { K6SummaryData } from '../../../scenarios/engine/outputs/summary-schema.ts';
import { textSummary } from '../../../scenarios/engine/outputs/text-summary.ts';
import { RUNTIME_JS, RUNTIME_TYPES_JS } from '../../../scenarios/k6/runtime-js.ts';
import { TEXT_SUMMARY_FUNCTION, TEXT_SUMMARY_JS } from '../../../scenarios/k6/summary-js.ts';
import { REPO_ROOT } from '../../helpers/cli.ts';

type Printer = (data: K6SummaryData, opts: { colors: boolean }) => string;
const embedded = new Function(`${TEXT_SUMMARY_JS}\nreturn ${TEXT_SUMMARY_FUNCTION};`)() as Printer;

const id = '0'.repeat(32);
function data(unit: string, stats: string[]): K6SummaryData {
  const trend = (scale: number): Record<string, number> => Object.fromEntries(stats.map((s, i) => [s, s === 'count' ? 17 : scale * (i + 0.123456)]));
  return {
    root_group: {
      name: '', path: '', id, groups: [
        { name: 'sync', path: '::sync', id, checks: [{ name: 'sync: status is 200', path: '::sync::sync: status is 200', id, passes: 3, fails: 1 }], groups: [
          { name: 'inner', path: '::sync::inner', id, groups: [], checks: [{ name: 'deep ok', path: 'x', id, passes: 2, fails: 0 }] },
        ] },
        { name: 'empty', path: '::empty', id, groups: [], checks: [] },
      ],
      checks: [{ name: 'register: status is 200', path: '::register: status is 200', id, passes: 5, fails: 0 }, { name: 'never', path: 'y', id, passes: 0, fails: 4 }],
    },
    options: { summaryTrendStats: stats, summaryTimeUnit: unit, noColor: false },
    state: { isStdOutTTY: true, isStdErrTTY: true, testRunDurationMs: 1234.5 },
    metrics: {
      http_req_duration: { type: 'trend', contains: 'time', values: trend(37.5), thresholds: { 'p(95)<300': { ok: true } } },
      'http_req_duration{scenario:peak,name:contacts_sync}': { type: 'trend', contains: 'time', values: trend(0.0004), thresholds: { 'p(95)<300': { ok: false } } },
      iteration_duration: { type: 'trend', contains: 'time', values: trend(3_723_456) },
      group_duration: { type: 'trend', contains: 'time', values: trend(61_000) },
      http_req_blocked: { type: 'trend', contains: 'time', values: trend(0.0000007) },
      sync_bytes_trend: { type: 'trend', contains: 'data', values: trend(2048) },
      plain_trend: { type: 'trend', contains: 'default', values: trend(3.14159265) },
      http_reqs: { type: 'counter', contains: 'default', values: { count: 1234, rate: 45.678901234 } },
      data_received: { type: 'counter', contains: 'data', values: { count: 12_345_678, rate: 9 } },
      data_sent: { type: 'counter', contains: 'data', values: { count: 999, rate: 0.5 } },
      http_req_failed: { type: 'rate', contains: 'default', values: { rate: 0.012345, passes: 12, fails: 988 } },
      'http_req_failed{scenario:peak}': { type: 'rate', contains: 'default', values: { rate: 0.5, passes: 1, fails: 1 }, thresholds: { 'rate<0.01': { ok: false }, 'rate<0.9': { ok: true } } },
      checks: { type: 'rate', contains: 'default', values: { rate: 1, passes: 10, fails: 0 } },
      vus: { type: 'gauge', contains: 'default', values: { value: 4, min: 1, max: 20 } },
      queue_ms: { type: 'gauge', contains: 'time', values: { value: 1500, min: 0, max: 75_000 } },
      dropped_iterations: { type: 'counter', contains: 'default', values: { count: 0, rate: 0 } },
    },
  };
}

describe('embedded text summary printer', () => {
  const cases: [string, string[]][] = [
    ['', ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)']],
    ['ms', ['avg', 'p(99)', 'count']],
    ['s', ['min', 'max']],
    ['us', ['avg', 'p(99.9)']],
  ];
  for (const [unit, stats] of cases) {
    for (const colors of [false, true]) {
      it(`prints exactly what textSummary prints (unit "${unit}", ${stats.join(',')}, colors ${colors})`, () => {
        const d = data(unit, stats);
        expect(embedded(d, { colors })).toBe(textSummary(d, { colors }));
      });
    }
  }

  it('prints real k6\'s http_req_duration{expected_response:true} indented under its parent, like textSummary', () => {
    const real = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/k6/real-k6-summary.json'), 'utf8')) as K6SummaryData;
    const text = embedded(real, { colors: false });
    expect(text).toBe(textSummary(real, { colors: false }));
    const lines = text.split('\n');
    const at = lines.findIndex((l) => /^ {3}. http_req_duration\.+:/.test(l));
    expect(lines[at + 1]).toMatch(/^ {7}\{ expected_response:true \}\.+: avg=459\.86ms /);
  });

  it('handles an empty summary and missing values like textSummary', () => {
    const d: K6SummaryData = { root_group: { name: '', path: '', id, groups: [], checks: [] }, options: { summaryTrendStats: ['avg'], summaryTimeUnit: '', noColor: true }, state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 0 }, metrics: { t: { type: 'trend', contains: 'time', values: {} }, c: { type: 'counter', contains: 'default', values: {} } } };
    expect(embedded(d, { colors: false })).toBe(textSummary(d, { colors: false }));
  });
});

describe('embedded mix hash', () => {
  const fns = new Function(`${RUNTIME_TYPES_JS}\nconst MIXES = {}; const FLOWS = {}; const SETUP = [];\n${RUNTIME_JS}\nreturn { caplabHash32, caplabToUnit };`)() as { caplabHash32: typeof hash32; caplabToUnit: typeof toUnit };

  it('equals models/random.ts hash32 and toUnit, including iteration numbers past 2^32', () => {
    const keys = [0, 1, streamKey(1, 'mix:mixed'), streamKey(42, 'mix:peak'), 0xffffffff];
    const iterations = [0, 1, 2, 3, 1000, 123_456_789, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 17, Number.MAX_SAFE_INTEGER];
    for (let i = 0; i < 2000; i++) iterations.push(i * 7919);
    for (const k of keys) for (const it of iterations) {
      expect(fns.caplabHash32(k, it)).toBe(hash32(k, it));
      expect(fns.caplabToUnit(fns.caplabHash32(k, it))).toBe(toUnit(hash32(k, it)));
    }
  });
});
