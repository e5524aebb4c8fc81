import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCampaign } from '../../cli/campaign/config.ts';
import { ValidationError } from '../../models/errors.ts';

describe('campaign.yaml', () => {
  it('reads the example that targets external URLs, resolving paths against the file', () => {
    const path = fileURLToPath(new URL('../../examples/campaign-external.yaml', import.meta.url));
    const c = parseCampaign(readFileSync(path, 'utf8'), path);
    expect(c.targets?.singapore).toBe('https://sg.staging.example.com');
    expect(c.forecast?.history).toBe(fileURLToPath(new URL('../../data/history.json', import.meta.url)));
    expect(c.runner).toBe('engine');
    expect(c.quarter).toBe('2015Q4');
  });

  it('accepts an empty file (every field has a default)', () => {
    expect(parseCampaign('', '/x/campaign.yaml')).toEqual({});
  });

  it('lists every problem with its path, and YAML syntax errors with their line', () => {
    const bad = 'seed: -1\nquarter: 2015Q5\ntargets:\n  singapore: ftp://x\nrunner: jmeter\nrateScale: 3\nunknown: 1\n';
    try {
      parseCampaign(bad, 'c.yaml');
      expect.unreachable();
    } catch (err) {
      const where = (err as ValidationError).problems.map((p) => p.where);
      expect(where).toEqual(expect.arrayContaining(['c.yaml: seed', 'c.yaml: quarter', 'c.yaml: targets.singapore', 'c.yaml: runner', 'c.yaml: rateScale', 'c.yaml: (root)']));
    }
    expect(() => parseCampaign('a: [1,\n', 'c.yaml')).toThrow(ValidationError);
  });
});
