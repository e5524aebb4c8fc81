import { describe, expect, it } from 'vitest';
import { checkTelemetry } from '../../../models/traffic/telemetry.ts';
import { parseTelemetryCsv } from '../../../models/traffic/telemetry-csv.ts';
import { parsePrometheusMatrix } from '../../../models/traffic/telemetry-prometheus.ts';

const RULES = { source: 't.csv', knownDcs: ['singapore', 'us-west-1'], knownServices: ['ota_check', 'contacts_sync'] };
const labels = { dcLabel: 'dc', serviceLabel: 'route' };

describe('parseTelemetryCsv', () => {
  it('reads ISO and unix times, rps or rpm columns, and one unit suffix for all rows', () => {
    const a = parseTelemetryCsv('time,dc,service,rps,note\n2015-03-02T00:00:00Z,singapore,ota_check,12,x\n1425254460,singapore,ota_check,13\n', 'a.csv');
    expect(a.problems).toEqual([]);
    expect(a.observations.map((o) => [o.time, o.rps, o.where])).toEqual([[1425254400, 12, 'a.csv:2'], [1425254460, 13, 'a.csv:3']]);
    const b = parseTelemetryCsv('service,dc,time,rpm\nota_check,singapore,2015-03-02T08:00:00+08:00,600\n', 'b.csv');
    expect(b.observations[0]).toMatchObject({ time: 1425254400, rps: 10 });
    const c = parseTelemetryCsv('time,dc,service,rps\n0,singapore,ota_check,700/min\n60,singapore,ota_check,1400/min\n', 'c.csv');
    expect(c.problems).toEqual([]);
    expect(c.observations.map((o) => o.rps)).toEqual([700 / 60, 1400 / 60]);
  });

  it('lists mixed units, zone-less times, bad numbers and a bad header with their lines', () => {
    const r = parseTelemetryCsv('time,dc,service,rps\n0,singapore,ota_check,12/s\n60,singapore,ota_check,13\n120,singapore,ota_check,700/min\n' +
      '2015-03-02T00:00:00,singapore,ota_check,1\n180,singapore,ota_check,many\n240,singapore,ota_check,5/fortnight\n', 'm.csv');
    expect(r.problems.map((p) => p.where)).toEqual(['m.csv:5', 'm.csv:6', 'm.csv:7', 'm.csv:4']);
    expect(r.problems[0]!.message).toMatch(/no zone/);
    expect(r.problems[1]!.message).toMatch(/"many" is not a number/);
    expect(r.problems[2]!.message).toMatch(/unknown unit/);
    expect(r.problems[3]!.message).toMatch(/mixed units: this row's rate is per minute but 2 other rows are per second/);
    expect(parseTelemetryCsv('when,dc,service\n', 'h.csv').problems.map((p) => p.message)).toEqual([
      'missing column "time" (header: when,dc,service)', 'expected exactly one rate column, rps or rpm (header: when,dc,service)',
    ]);
    expect(parseTelemetryCsv('', 'e.csv').problems[0]!.message).toMatch(/empty/);
  });
});

describe('parsePrometheusMatrix', () => {
  it('reads a query_range matrix with the chosen labels', () => {
    const body = { status: 'success', data: { resultType: 'matrix', result: [{ metric: { dc: 'singapore', route: 'ota_check' }, values: [[100, '40'], [101, '40.5']] }] } };
    const r = parsePrometheusMatrix(body, 'p.json', labels);
    expect(r.problems).toEqual([]);
    expect(r.observations.map((o) => [o.time, o.dc, o.service, o.rps, o.where])).toEqual([
      [100, 'singapore', 'ota_check', 40, 'p.json: data.result[0].values[0]'], [101, 'singapore', 'ota_check', 40.5, 'p.json: data.result[0].values[1]'],
    ]);
  });

  it('names the JSON path of every problem: missing labels, repeated series, bad pairs, errors and vectors', () => {
    const body = { status: 'success', data: { resultType: 'matrix', result: [
      { metric: { instance: 'x' }, values: [] },
      { metric: { dc: 'singapore', route: 'ota_check' }, values: [[1, '2'], ['t', 2]] },
      { metric: { dc: 'singapore', route: 'ota_check', status: '500' }, values: [[1, '2']] },
    ] } };
    const r = parsePrometheusMatrix(body, 'p.json', labels);
    expect(r.problems.map((p) => p.where)).toEqual(['p.json: data.result[0].metric', 'p.json: data.result[0].metric', 'p.json: data.result[1].values[1]', 'p.json: data.result[2]']);
    expect(r.problems[1]!.message).toMatch(/no label "route".*--service-label/);
    expect(r.problems[3]!.message).toMatch(/repeats data.result\[1\].*sum by \(dc, route\)/);
    expect(parsePrometheusMatrix({ status: 'error', errorType: 'bad_data', error: 'parse error' }, 'u', labels).problems[0]!.message).toMatch(/not "success": bad_data: parse error/);
    expect(parsePrometheusMatrix({ status: 'success', data: { resultType: 'vector', result: [] } }, 'u', labels).problems[0]!.message).toMatch(/query_range/);
  });
});

describe('checkTelemetry', () => {
  const o = (time: number, rps: number, where: string, dc = 'singapore', service = 'ota_check') => ({ time, dc, service, rps, where });

  it('accepts a complete grid and sorts the samples', () => {
    const r = checkTelemetry([o(120, 1, 'a'), o(0, 1, 'b'), o(60, 1, 'c'), o(0, 2, 'd', 'us-west-1'), o(60, 2, 'e', 'us-west-1'), o(120, 2, 'f', 'us-west-1')], RULES);
    expect(r.ok && r.telemetry.stepSeconds).toBe(60);
    expect(r.ok && r.telemetry.observations.map((x) => x.where)).toEqual(['b', 'c', 'a', 'd', 'e', 'f']);
  });

  it('lists gaps, negative and non-finite rates, unknown names, duplicates and off-grid times at once', () => {
    const r = checkTelemetry([
      o(0, 1, 't:2'), o(60, -1, 't:3'), o(240, 1, 't:4'), o(240, 1, 't:5'), o(300, NaN, 't:6'), o(330, 1, 't:7'),
      o(0, 1, 't:8', 'mars'), o(0, 1, 't:9', 'singapore', 'teleport'),
    ], RULES);
    expect(r.ok).toBe(false);
    const problems = r.ok ? [] : r.problems;
    expect(problems.map((p) => `${p.where} ${p.message}`)).toEqual([
      expect.stringMatching(/^t:8 unknown data center "mars" in 1 sample; known: singapore, us-west-1/),
      expect.stringMatching(/^t:9 unknown service "teleport" in 1 sample; known: ota_check, contacts_sync/),
      't:3 rate -1 of singapore/ota_check is negative',
      't:6 rate of singapore/ota_check is not a finite number',
      expect.stringMatching(/^t:5 duplicate sample of singapore\/ota_check at 1970-01-01T00:04:00Z \(also at t:4\)/),
      expect.stringMatching(/^t:7 time 1970-01-01T00:05:30Z is off the 60 s sampling grid/),
      't:3 gap in singapore/ota_check: no sample from 1970-01-01T00:02:00Z to 1970-01-01T00:03:00Z (2 steps of 60 s) between t:3 and t:4',
    ]);
    expect(checkTelemetry([], RULES)).toEqual({ ok: false, problems: [{ where: 't.csv', message: expect.stringMatching(/no samples/) }] });
  });
});
