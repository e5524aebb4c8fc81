/**
 * campaign.yaml `world`: a world of the user's own, a file relative to the campaign or inline, read with its driver's
 * file; the DCs, fleet and targets of the campaign are checked against its sites; every problem of the world, its
 * series file and the campaign is listed at once (exit 104) before anything is written or loaded.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCampaignInputs } from '../../../cli/campaign/inputs.ts';
import { ValidationError } from '../../../models/errors.ts';
import { removeDir, runCli, tempDir } from '../../helpers/cli.ts';
import { tidepoolWorld } from '../../helpers/tidepool-world.ts';

const dir = tempDir('caplab-campaign-world-');
afterAll(() => removeDir(dir));

const world = tidepoolWorld;

describe('campaign.yaml world', () => {
  it('reads a world file relative to the campaign with its series, and its placement and sites become the campaign\'s', async () => {
    writeFileSync(join(dir, 'series.csv'), 'period,p10,p50,p90\n2026Q4,900,1000,1100\n2027Q1,950,1050,1200\n2027Q2,1000,1100,1300\n2027Q3,1000,1150,1400\n2027Q4,1050,1200,1500\n');
    writeFileSync(join(dir, 'world.yaml'), world('{ kind: series, file: series.csv, unit: { one: ledger, many: ledgers } }'));
    writeFileSync(join(dir, 'ok.yaml'), 'world: world.yaml\ntargets: { harbor: "http://127.0.0.1:9", cliff: "http://127.0.0.1:9" }\n');
    const a = await loadCampaignInputs(join(dir, 'ok.yaml'));
    expect(a.world.world.name).toBe('Tidepool Ledger');
    expect(a.placementDcs).toEqual(['harbor', 'cliff']);
    expect(a.world.series?.map((r) => r.period)).toEqual(['2026Q4', '2027Q1', '2027Q2', '2027Q3', '2027Q4']);
    expect(a.world.doc.driver).toMatchObject({ kind: 'series', file: join(dir, 'series.csv') });
  });

  it('lists every problem of the world, its series and the campaign at once, and exits 104 before writing anything', async () => {
    writeFileSync(join(dir, 'short.csv'), 'period,value\n2027Q1,10\n2027Q1,11\n');
    writeFileSync(join(dir, 'bad-world.yaml'), world('{ kind: series, file: short.csv, unit: { one: ledger, many: ledgers } }', 'residency: { rules: [{ name: r, countries: [PT], sites: [lisbon], source: s }] }\n'));
    writeFileSync(join(dir, 'bad.yaml'), 'world: bad-world.yaml\ndcs: [beijing]\nfleet: { schema: caplab.fleet/v1, asOf: 2026Q4, nodes: { mars: 1 } }\ntargets: { harbor: "http://127.0.0.1:9" }\n');
    const err = await loadCampaignInputs(join(dir, 'bad.yaml')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const where = (err as ValidationError).problems.map((p) => `${p.where.replaceAll(`${dir}/`, '')}: ${p.message}`);
    expect(where).toEqual(expect.arrayContaining([
      expect.stringMatching(/^bad-world\.yaml: residency\.rules\[0\]\.sites\[0\]: "lisbon" is not one of the sites/),
      expect.stringMatching(/^bad-world\.yaml: residency\.rules\[0\]\.countries: the last rule must be the catch-all/),
    ]));
    // The world's shape is wrong, so its series is not read; a valid world's series problems are listed with the campaign's.
    writeFileSync(join(dir, 'world2.yaml'), world('{ kind: series, file: short.csv, unit: { one: ledger, many: ledgers } }'));
    writeFileSync(join(dir, 'bad2.yaml'), 'world: world2.yaml\ndcs: [beijing]\nfleet: { schema: caplab.fleet/v1, asOf: 2026Q4, nodes: { mars: 1 } }\ntargets: { harbor: "http://127.0.0.1:9" }\n');
    const r = await runCli(['--out-dir', join(dir, 'out'), 'campaign', join(dir, 'bad2.yaml')]);
    expect(r.code).toBe(104);
    for (const text of [
      'short.csv:3: 2027Q1 is listed twice (first on line 2)',
      'no row for 2026Q4, 2027Q2, 2027Q3, 2027Q4',
      'bad2.yaml: fleet: nodes.mars: unknown site "mars" (the sites of',
      'bad2.yaml: dcs[0]: "beijing" is not a DC of placement all (harbor, cliff)',
    ]) expect(r.stderr).toContain(text);
    expect(r.stderr).not.toMatch(/campaign run /);
  });

  it('needs targets: the built-in stacks emulate only the built-in world', async () => {
    writeFileSync(join(dir, 'no-targets.yaml'), `world:\n${world('{ kind: peak-rps, peakRps: 40, growthPerPeriod: { low: 0, mid: 0.05, high: 0.1 } }').split('\n').map((l) => `  ${l}`).join('\n')}\n`);
    const err = await loadCampaignInputs(join(dir, 'no-targets.yaml')).catch((e: unknown) => e);
    expect((err as ValidationError).problems).toEqual([expect.objectContaining({ where: `${join(dir, 'no-targets.yaml')}: targets`, message: expect.stringMatching(/own `world` needs `targets`/) })]);
  });
});
