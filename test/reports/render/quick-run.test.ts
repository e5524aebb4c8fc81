import { describe, expect, it } from 'vitest';
import { isQuickProbeSpec, quickRunNote } from '../../../reports/render/quick-run.ts';

const quick = { vus: [1, 4, 8], warmupSeconds: 1, measureSeconds: 2 };
const spec = (steps: [string, number, string][]): unknown => ({
  options: { scenarios: Object.fromEntries(steps.map(([name, vus, duration]) => [name, { executor: 'constant-vus', vus, duration }])) },
});

describe('isQuickProbeSpec', () => {
  it('is true only for exactly the quick steps, in order, each warm-up + measure long', () => {
    expect(isQuickProbeSpec(spec([['probe_1', 1, '3s'], ['probe_4', 4, '3s'], ['probe_8', 8, '3s']]), quick)).toBe(true);
    expect(isQuickProbeSpec(spec([['probe_1', 1, '6s'], ['probe_4', 4, '6s'], ['probe_8', 8, '6s']]), quick)).toBe(false); // full-length steps
    expect(isQuickProbeSpec(spec([['probe_1', 1, '3s'], ['probe_4', 4, '3s']]), quick)).toBe(false); // fewer steps
    expect(isQuickProbeSpec(spec([['probe_1', 1, '3s'], ['probe_4', 4, '3s'], ['probe_8', 8, '3s'], ['probe_16', 16, '3s']]), quick)).toBe(false);
  });

  it('is false for anything that is not a probe spec', () => {
    for (const v of [null, 3, 'x', {}, { options: {} }, { options: { scenarios: null } }]) expect(isQuickProbeSpec(v, quick)).toBe(false);
  });
});

describe('quickRunNote', () => {
  it('says the run was quick and how that is known', () => {
    expect(quickRunNote('manifest')).toMatch(/^Quick run \(caplab campaign --quick; campaign\.json says quick: true\): /);
    expect(quickRunNote('probe-specs')).toMatch(/^Quick run \(caplab campaign --quick; no campaign\.json; its probe specs have the quick steps\): /);
  });
});
