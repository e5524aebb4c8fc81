/**
 * The scenarios stage (pipeline/scenarios.ts) puts a campaign's per-target k6 options into each DC's specs: the
 * target's transport options win over the catalog's option of the same name, other DCs keep the catalog's, and a
 * per-DC insecureSkipTLSVerify reaches only its DC. Built-in data; nothing is run.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DATA_DIR } from '../../cli/data.ts';
import { loadCatalog } from '../../cli/inputs/catalog.ts';
import { chainData } from '../../cli/inputs/chain-data.ts';
import { loadPlacement } from '../../cli/inputs/routing.ts';
import { chain } from '../../pipeline/chain.ts';

describe('scenarios stage: per-target k6 options', () => {
  it('the target\'s options win over the catalog\'s in its DC only, in every spec kind', async () => {
    const data = chainData();
    const builtIn = await loadCatalog(undefined, undefined);
    const catalog = { ...builtIn, options: { userAgent: 'catalog/1', discardResponseBodies: true } };
    const c = chain({ catalog, observed: new Map(), placement: await loadPlacement('seed-4dc', data.world) }, data, 1);
    const targets = { beijing: 'http://127.0.0.1:1', singapore: 'https://sg.test', 'us-west-1': 'http://127.0.0.1:3', 'us-west-2': 'http://127.0.0.1:4' };
    const built = c.scenarios({
      budgets: { doc: JSON.parse(readFileSync(`${DATA_DIR}/budgets.json`, 'utf8')), source: 'data/budgets.json' },
      targets, quick: true, replay: false, ceilings: { beijing: 100, singapore: 100, 'us-west-1': 100, 'us-west-2': 100 },
      transport: { singapore: { userAgent: 'mesh-probe/1', hosts: { 'sg.test': '10.0.0.7' } } },
      insecureSkipTLSVerify: { singapore: true },
    });
    const kinds = (dc: string) => Object.values(built.specs[dc]!).filter((s) => s !== undefined) as { options: Record<string, unknown> }[];
    expect(kinds('singapore').length).toBeGreaterThanOrEqual(2);
    for (const sg of kinds('singapore')) {
      expect(sg.options).toMatchObject({ userAgent: 'mesh-probe/1', hosts: { 'sg.test': '10.0.0.7' }, discardResponseBodies: true, insecureSkipTLSVerify: true });
    }
    for (const other of kinds('us-west-1')) {
      expect(other.options).toMatchObject({ userAgent: 'catalog/1', discardResponseBodies: true });
      expect(other.options).not.toHaveProperty('hosts');
      expect(other.options).not.toHaveProperty('insecureSkipTLSVerify');
    }
  });
});
