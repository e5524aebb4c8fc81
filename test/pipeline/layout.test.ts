/**
 * A campaign folder's names (pipeline/layout.ts): the paths the load runs, refinement and scenario builder agree on,
 * and the entries a campaign may replace.
 */
import { describe, expect, it } from 'vitest';
import { CAMPAIGN_ENTRIES, isPointsOf, loadOutputs, refineRoundOf, refineSpecFile, specFile, usersFile } from '../../pipeline/layout.ts';

describe('campaign folder layout', () => {
  it('puts the replay under results/ and the capacity runs under capacity/, with the run in the names', () => {
    expect(loadOutputs('replay', 'singapore')).toEqual({ points: 'results/singapore/points.ndjson.gz', summary: 'results/singapore/summary.json' });
    expect(loadOutputs('probe', 'us-west-1')).toEqual({ points: 'capacity/us-west-1/points-probe.ndjson.gz', summary: 'capacity/us-west-1/summary-probe.json' });
    expect(loadOutputs('refine-2', 'beijing').points).toBe('capacity/beijing/points-refine-2.ndjson.gz');
  });

  it('names specs and users files beside each other, and reads refinement rounds back from the points names', () => {
    expect(specFile('singapore', 'sweep')).toBe('scenarios/singapore-sweep.json');
    expect(refineSpecFile('singapore', 3)).toBe('scenarios/singapore-refine-3.json');
    expect(usersFile('us-west-2')).toBe('scenarios/users-us-west-2.ndjson');
    expect(['points-refine-12.ndjson.gz', 'points-refine-2.ndjson', 'points-sweep.ndjson.gz'].map(refineRoundOf)).toEqual([12, 2, undefined]);
    expect(isPointsOf('points-probe.ndjson.gz', 'probe')).toBe(true);
    expect(isPointsOf('points-probe-2.ndjson.gz', 'probe')).toBe(false);
  });

  it('lists every top-level entry of a campaign folder once', () => {
    const top = new Set([loadOutputs('replay', 'x').points, loadOutputs('probe', 'x').points, specFile('x', 'probe')].map((p) => p.split('/')[0]));
    for (const t of top) expect(CAMPAIGN_ENTRIES).toContain(t);
    expect(new Set(CAMPAIGN_ENTRIES).size).toBe(CAMPAIGN_ENTRIES.length);
    expect(CAMPAIGN_ENTRIES).toEqual(expect.arrayContaining(['campaign.json', 'forecast.json', 'traffic.json', 'population.json', 'plan.json', 'budgets.json']));
  });
});
