/**
 * A campaign refuses, with its other input problems and before any work, budget fields no campaign run can measure:
 * serverP95/serverP99 (http_req_waiting) while the judged replay crosses the WAN. Before, they were skipped by the
 * gate, so `--require-all` failed a healthy campaign on them.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDir } from '../../helpers/cli.ts';

const dir = tempDir('caplab-campaign-budgets-');
afterAll(() => removeDir(dir));

describe('caplab campaign: budgets', () => {
  it('refuses server-side limits with their JSON paths (104), listed with the other problems, nothing written', async () => {
    const file = join(dir, 'campaign.yaml');
    writeFileSync(file, [
      'seed: 1',
      'dcs: [singapore, mars]',
      'budgets:',
      '  schema: caplab.budgets/v1',
      '  defaults: { p95: 300ms, serverP95: 50ms }',
      '  budgets:',
      '    - { service: ota_check, serverP99: 80ms }',
      '',
    ].join('\n'));
    const out = join(dir, 'out');
    const r = await runCli(['--out-dir', out, 'campaign', file]);
    expect(r.code, r.stderr).toBe(104);
    expect(r.stderr).toMatch(/budgets: defaults\.serverP95: a server-side limit \(http_req_waiting\) no campaign run can measure/);
    expect(r.stderr).toMatch(/budgets: budgets\[0\]\.serverP99: a server-side limit/);
    expect(r.stderr).toMatch(/dcs\[1\]: "mars" is not a DC/);
    expect(r.stderr).not.toMatch(/forecast: done/);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});
