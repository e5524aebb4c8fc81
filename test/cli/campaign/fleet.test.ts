/**
 * campaign.yaml `fleet`: today's fleet of the user's own, inline or a file relative to the campaign, checked by its
 * schema and against the known DCs before anything runs (every problem with its path), and `calibrate: fleet`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCampaignInputs } from '../../../cli/campaign/inputs.ts';
import { ValidationError } from '../../../models/errors.ts';
import { removeDir, tempDir } from '../../helpers/cli.ts';

const dir = tempDir('caplab-campaign-fleet-');
afterAll(() => removeDir(dir));

describe('campaign.yaml fleet', () => {
  it('reads a fleet file relative to the campaign, and an inline one', async () => {
    writeFileSync(join(dir, 'fleet.yaml'), 'schema: caplab.fleet/v1\nasOf: 2014Q4\nnodes: { beijing: 600 }\npeakUtilization: 0.4\n');
    writeFileSync(join(dir, 'file.yaml'), 'fleet: fleet.yaml\ncalibrate: fleet\n');
    const a = await loadCampaignInputs(join(dir, 'file.yaml'));
    expect(a.fleet).toEqual({ fleet: { schema: 'caplab.fleet/v1', asOf: '2014Q4', nodes: { beijing: 600 }, peakUtilization: 0.4 }, source: join(dir, 'fleet.yaml') });
    expect(a.campaign.calibrate).toBe('fleet');
    writeFileSync(join(dir, 'inline.yaml'), 'fleet: { schema: caplab.fleet/v1, asOf: 2014Q4, nodes: { singapore: 3 }, peakRps: 900 }\n');
    const b = await loadCampaignInputs(join(dir, 'inline.yaml'));
    expect(b.fleet).toMatchObject({ fleet: { nodes: { singapore: 3 }, peakRps: 900 }, source: `${join(dir, 'inline.yaml')}: fleet` });
    expect((await loadCampaignInputs(undefined)).fleet).toBeUndefined();
  });

  it('lists every problem of the fleet with its path, and an unknown DC, before anything runs', async () => {
    writeFileSync(join(dir, 'bad.yaml'), 'fleet: { schema: caplab.fleet/v1, asOf: 2014Q5, nodes: { beijing: -1 }, peakUtilization: 1.5 }\ncalibrate: yes\n');
    const err = await loadCampaignInputs(join(dir, 'bad.yaml')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const where = (err as ValidationError).problems.map((p) => p.where.replace(`${dir}/`, ''));
    expect(where).toEqual(expect.arrayContaining(['bad.yaml: calibrate', 'bad.yaml: fleet: asOf', 'bad.yaml: fleet: nodes.beijing', 'bad.yaml: fleet: peakUtilization']));
    writeFileSync(join(dir, 'unknown.yaml'), 'fleet: { schema: caplab.fleet/v1, asOf: 2014Q4, nodes: { frankfurt: 5 } }\n');
    const e2 = await loadCampaignInputs(join(dir, 'unknown.yaml')).catch((e: unknown) => e) as ValidationError;
    expect(e2.problems).toEqual([expect.objectContaining({ where: `${join(dir, 'unknown.yaml')}: fleet: nodes.frankfurt`, message: expect.stringMatching(/^unknown site "frankfurt"/) })]);
    writeFileSync(join(dir, 'missing.yaml'), 'fleet: nope.json\n');
    const e3 = await loadCampaignInputs(join(dir, 'missing.yaml')).catch((e: unknown) => e) as ValidationError;
    expect(e3.problems.map((p) => p.where)).toEqual([`${join(dir, 'missing.yaml')}: fleet`]);
  });
});
