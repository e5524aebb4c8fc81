/**
 * `caplab run` refuses a test whose VUs cannot fit in memory (exit 104, before creating any, nothing written), saying
 * the estimate and the limit; and the estimate itself (peak VUs at once, arrival-rate at maxVUs, per segment).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecutionTuple, parseExecutionSegment } from '../../scenarios/engine/segments.ts';
import { estimateVuMemory, peakVus } from '../../scenarios/engine/vu-memory.ts';
import { parseScenarioSpec } from '../../scenarios/spec.ts';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';

let dir: string;
beforeAll(() => { dir = tempDir('caplab-run-vumem-'); });
afterAll(() => removeDir(dir));

const flows = { default: { steps: [{ name: 'r', path: '/' }] } };

function spec(scenarios: Record<string, unknown>): Record<string, unknown> {
  // Port 9 (discard) on loopback: nothing must ever be sent, the run is refused first.
  return { schema: 'caplab.scenario/v1', name: 'vumem', baseUrl: 'http://127.0.0.1:9', options: { scenarios }, flows };
}

function writeSpec(name: string, scenarios: Record<string, unknown>): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(spec(scenarios)));
  return path;
}

describe('caplab run: VU memory', () => {
  it('refuses preAllocatedVUs 100,000,000 with exit 104, the estimate and the limit, and writes nothing', async () => {
    const path = writeSpec('huge.json', { c: { executor: 'constant-arrival-rate', rate: 10, timeUnit: '1s', duration: '2s', preAllocatedVUs: 100_000_000 } });
    const sj = join(dir, 'summary.json');
    const r = await runCli(['run', path, '--summary-json', sj]);
    expect(r.code).toBe(104);
    // 100,000,000 x 8192 B (data/defaults.json run.vuMemory.bytesPerVu) = 819 GB.
    expect(r.stderr).toContain(`${path}: options.scenarios: 100,000,000 VUs at once would take about 819 GB (8.2 kB per VU), more than the`);
    expect(r.stderr).toMatch(/more than the [\d.]+ [kMGT]B this machine allows for VUs \(data\/defaults\.json run\.vuMemory\)/);
    expect(existsSync(sj)).toBe(false);
    expect(r.stdout).toBe('');
  }, 60_000);

  it('refuses --vus 100000000 --duration 1s the same way, with every other problem listed too', async () => {
    const path = writeSpec('small.json', { c: { executor: 'constant-vus', vus: 1, duration: '1s' } });
    const r = await runCli(['run', path, '--vus', '100000000', '--duration', '1s', '--tag', 'bad']);
    expect(r.code).toBe(104);
    expect(r.stderr).toContain('100,000,000 VUs at once would take about 819 GB');
    expect(r.stderr).toContain('--tag: "bad" is not name=value');
  }, 60_000);
});

describe('VU memory estimate', () => {
  const scenarios = parseScenarioSpec(spec({
    a: { executor: 'constant-vus', vus: 10, duration: '10s' },
    b: { executor: 'constant-arrival-rate', rate: 1, timeUnit: '1s', duration: '5s', preAllocatedVUs: 5, maxVUs: 30, startTime: '2s' },
    c: { executor: 'per-vu-iterations', vus: 1000, iterations: 1, startTime: '1h' },
  }), 'spec').options.scenarios!;

  it('counts the most VUs held at once, arrival-rate at maxVUs', () => {
    // a and b overlap (10 + 30); c starts after both ended (1000 alone).
    expect(peakVus({ a: scenarios.a!, b: scenarios.b! })).toBe(40);
    expect(peakVus(scenarios)).toBe(1000);
  });

  it('scales to an execution segment and compares with the budget', () => {
    const half = createExecutionTuple(parseExecutionSegment('0:1/2'));
    expect(peakVus({ a: scenarios.a!, b: scenarios.b! }, half)).toBe(20);
    expect(estimateVuMemory({ a: scenarios.a! }, 8192, 81_920)).toEqual({ vus: 10, bytes: 81_920, budgetBytes: 81_920, fits: true });
    expect(estimateVuMemory({ a: scenarios.a! }, 8192, 81_919).fits).toBe(false);
    expect(() => estimateVuMemory({}, 0, 1)).toThrow(/bytesPerVu 0/);
  });
});
