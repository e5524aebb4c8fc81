import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, removeDir, runCli, tempDir } from '../../helpers/cli.ts';

const dir = tempDir('caplab-scenarios-');
afterAll(() => removeDir(dir));

describe('caplab scenarios build', () => {
  it('writes valid specs and users files for the default quarter, pointing at the given targets', async () => {
    const targets = join(dir, 'targets.json');
    writeFileSync(targets, JSON.stringify({ beijing: 'http://127.0.0.1:1001', singapore: 'http://127.0.0.1:1002', 'us-west-1': 'http://127.0.0.1:1003', 'us-west-2': 'http://127.0.0.1:1004' }));
    const out = join(dir, 'a');
    const r = await runCli(['--out-dir', out, 'scenarios', 'build', '--targets', targets]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/scenarios for 2015Q4/);
    const spec = JSON.parse(readFileSync(join(out, 'scenarios', 'singapore-replay.json'), 'utf8'));
    expect(spec).toMatchObject({ schema: 'caplab.scenario/v1', baseUrl: 'http://127.0.0.1:1002', data: { users: { file: 'users-singapore.ndjson' } } });
    const users = readFileSync(join(out, 'scenarios', 'users-singapore.ndjson'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(users.length).toBe(2000);
    expect(users.every((u) => u.dc === 'singapore')).toBe(true);
  });

  it('gives every spec k6\'s insecureSkipTLSVerify when the catalog sets it', async () => {
    const targets = join(dir, 'targets-tls.json');
    writeFileSync(targets, JSON.stringify({ beijing: 'https://127.0.0.1:1001', singapore: 'https://127.0.0.1:1002', 'us-west-1': 'https://127.0.0.1:1003', 'us-west-2': 'https://127.0.0.1:1004' }));
    const catalog = join(dir, 'catalog-tls.json');
    writeFileSync(catalog, JSON.stringify({ ...JSON.parse(readFileSync(join(REPO_ROOT, 'data', 'catalog.json'), 'utf8')), insecureSkipTLSVerify: true }));
    const out = join(dir, 'tls');
    const r = await runCli(['--out-dir', out, 'scenarios', 'build', '--targets', targets, '--catalog', catalog]);
    expect(r.code, r.stderr).toBe(0);
    const files = readdirSync(join(out, 'scenarios')).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) expect(JSON.parse(readFileSync(join(out, 'scenarios', f), 'utf8')).options, f).toMatchObject({ insecureSkipTLSVerify: true });
  });

  it('rejects bad targets, budgets and quarters with 104 and writes nothing', async () => {
    const badTargets = join(dir, 'bad-targets.json');
    writeFileSync(badTargets, JSON.stringify({ beijing: 'ftp://x' }));
    const badBudgets = join(dir, 'bad-budgets.json');
    writeFileSync(badBudgets, JSON.stringify({ schema: 'caplab.budgets/v1', defaults: { p95: 'soon' }, budgets: [{ p99: '1s' }] }));
    const out = join(dir, 'bad');
    for (const [args, message] of [
      [['--targets', badTargets], /bad-targets\.json: beijing/],
      [['--budgets', badBudgets], /defaults\.p95[\s\S]*budgets\[0\]\.service/],
      [['--quarter', '2030Q1'], /--quarter 2030Q1 is not in the traffic/],
    ] as [string[], RegExp][]) {
      const r = await runCli(['--out-dir', out, 'scenarios', 'build', ...args]);
      expect(r.code, r.stderr).toBe(104);
      expect(r.stderr).toMatch(message);
    }
  });
});
