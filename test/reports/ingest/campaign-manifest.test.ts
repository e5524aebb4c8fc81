import { describe, expect, it } from 'vitest';
import { type CampaignManifest, CampaignManifestSchema, manifestProblems } from '../../../reports/ingest/campaign-manifest.ts';

const digest = (c: string) => ({ bytes: 3, sha256: c.repeat(64) });
const manifest: CampaignManifest = {
  schema: 'caplab.campaign/v1', runId: 'r1', startedAt: '2026-12-05T10:00:00Z', quick: false, seed: 1, dcs: ['singapore'], skipped: [],
  budgets: 'budgets.json', files: { 'budgets.json': digest('a'), 'results/singapore/summary.json': digest('b') },
};

describe('campaign manifest', () => {
  it('accepts a budgets path inside the folder and refuses one outside it', () => {
    expect(CampaignManifestSchema.safeParse(manifest).success).toBe(true);
    expect(CampaignManifestSchema.safeParse({ ...manifest, budgets: 'inputs/budgets.yaml' }).success).toBe(true);
    for (const budgets of ['../budgets.json', '/etc/budgets.json', 'a/../../b.json', 'C:\\b.json', '']) {
      const r = CampaignManifestSchema.safeParse({ ...manifest, budgets });
      expect(r.success, budgets).toBe(false);
      expect(r.error!.issues[0]!.path).toEqual(['budgets']);
    }
  });

  it('names every file missing, changed or added', () => {
    expect(manifestProblems(manifest, manifest.files, 'c')).toEqual([]);
    expect(manifestProblems(manifest, { 'budgets.json': digest('c'), 'junit.xml': digest('d') }, 'c')).toEqual([
      { where: 'c/budgets.json', message: "changed since run r1 wrote it (another run's file?)" },
      { where: 'c/results/singapore/summary.json', message: 'missing: run r1 wrote it' },
      { where: 'c/junit.xml', message: 'not written by run r1 (a file from another run?)' },
    ]);
  });
});
