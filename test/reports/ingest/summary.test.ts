import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../models/errors.ts';
import { detectSummaryKind, readSummaryExport, readSummaryJson } from '../../../reports/ingest/summary.ts';
import { createRegistry } from '../../../scenarios/engine/metrics/registry.ts';
import { groupId } from '../../../scenarios/engine/outputs/root-group.ts';
import { toSummaryExport } from '../../../scenarios/engine/outputs/summary-export.ts';
import { buildSummaryData } from '../../../scenarios/engine/outputs/summary-json.ts';
import { REPO_ROOT } from '../../helpers/cli.ts';
import { runSamples } from '../../helpers/samples.ts';

const REAL = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/k6/real-k6-summary.json'), 'utf8')) as unknown;

function ours() {
  const reg = createRegistry({ thresholds: { http_reqs: [{ threshold: 'count>1', abortOnFail: false, delayAbortEvalMs: 0 }] }, summaryTrendStats: ['avg', 'p(95)'] });
  for (const s of runSamples(50, 1)) reg.add(s);
  return JSON.parse(JSON.stringify(buildSummaryData(reg, { testRunDurationMs: 500, isStdOutTTY: false, isStdErrTTY: false }, { summaryTrendStats: ['avg', 'p(95)'], noColor: true }))) as unknown;
}

describe('readSummaryJson', () => {
  it('reads real k6 handleSummary data and ours', () => {
    const real = readSummaryJson(REAL, 'real.json');
    expect(real.metrics.http_req_failed!.thresholds).toEqual({ 'rate<0.01': { ok: false } });
    expect(real.metrics['http_req_duration{expected_response:true}']!.type).toBe('trend');
    expect(readSummaryJson(ours(), 'ours.json').metrics.http_reqs!.thresholds).toEqual({ 'count>1': { ok: true } });
  });

  it('has the ids k6 computes (md5 of the path)', () => {
    const real = readSummaryJson(REAL, 'real.json');
    const g = real.root_group.groups[0]!;
    expect(g.id).toBe(groupId(g.path));
    expect(g.groups[0]!.checks[0]!.id).toBe(groupId('::my group::json::status is 200'));
  });

  it('lists every shape problem with its path, and refuses the other summary shape', () => {
    const bad = JSON.parse(JSON.stringify(REAL)) as { metrics: Record<string, Record<string, unknown>>; state: Record<string, unknown> };
    bad.metrics.vus!.type = 'histogram';
    bad.metrics.http_reqs!.values = { count: 'two' };
    delete bad.state.testRunDurationMs;
    const err = (() => { try { readSummaryJson(bad, 'x.json'); } catch (e) { return e; } return undefined; })();
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).problems.map((p) => p.where).sort()).toEqual([
      'x.json: metrics.http_reqs.values.count', 'x.json: metrics.vus.type', 'x.json: state.testRunDurationMs',
    ]);
    expect(() => readSummaryJson(toSummaryExport(readSummaryJson(REAL, 'r')), 'e.json')).toThrow(ValidationError);
  });
});

describe('readSummaryExport', () => {
  it('reads the --summary-export shape built from real k6 data and from ours', () => {
    const exp = readSummaryExport(JSON.parse(JSON.stringify(toSummaryExport(readSummaryJson(REAL, 'r')))), 'e.json');
    expect(exp.metrics.http_req_failed).toEqual({ passes: 1, fails: 1, thresholds: { 'rate<0.01': true }, value: 0.5 });
    expect(readSummaryExport(JSON.parse(JSON.stringify(toSummaryExport(readSummaryJson(ours(), 'o')))), 'o.json').metrics.http_reqs).toMatchObject({ count: 50 });
    expect(() => readSummaryExport(REAL, 'real.json')).toThrow(ValidationError);
  });

  it('detects which shape a document has', () => {
    expect(detectSummaryKind(REAL)).toBe('handleSummary');
    expect(detectSummaryKind(toSummaryExport(readSummaryJson(REAL, 'r')))).toBe('summary-export');
    expect(detectSummaryKind({ hello: 1 })).toBeUndefined();
  });
});
