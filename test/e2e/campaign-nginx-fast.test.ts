/**
 * End to end: `caplab campaign --quick` against a target nobody here wrote that answers at full speed, Debian's nginx
 * with a plain `return 200` and no rate limit (the first thing a new user points caplab at). Every run of the campaign
 * writes NDJSON points; at tens of thousands of requests per second they used to overflow the output, fail the probe
 * with 107 and stop the campaign. Evidence that nothing is lost: each points file holds exactly as many http_reqs
 * points as its summary counts requests.
 */
import { createReadStream, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { type RunningNginx, startNginx } from '../helpers/nginx.ts';

const dir = tempDir('caplab-e2e-nginx-fast-');
const out = join(dir, 'campaign');
let nginx: RunningNginx | undefined;
let code: number | undefined;
let log = '';

beforeAll(async () => {
  nginx = await startNginx(join(dir, 'nginx'), '', '    access_log off;\n    location = /api/ping { default_type application/json; return 200 \'{"ok":true}\'; }');
  writeFileSync(join(dir, 'catalog.yaml'), [
    'schema: caplab.catalog/v1',
    'name: ping',
    'services:',
    '  - name: ping',
    '    flow: { steps: [{ name: ping, method: GET, path: /api/ping, expectedStatuses: [200], checks: { status: [200] } }] }',
    '    demand: { perDevicePerDay: 5 }',
    '    budgets: { p95: 100ms }',
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'campaign.yaml'), ['seed: 1', 'catalog: catalog.yaml', 'quick: true', 'dcs: [singapore]', `targets: { singapore: "${nginx.url}" }`, ''].join('\n'));
  const r = await runCli(['--out-dir', out, 'campaign', join(dir, 'campaign.yaml')]);
  code = r.code;
  log = `${r.stdout.slice(-2000)}\n${r.stderr}`;
}, 600_000);

afterAll(async () => {
  await nginx?.stop();
  removeDir(dir);
}, 30_000);

/** http_reqs Point lines of an NDJSON file, streamed (a probe at full speed writes more than a string can hold). */
async function httpReqPoints(path: string): Promise<number> {
  const input = createReadStream(path);
  const lines = createInterface({ input: path.endsWith('.gz') ? input.pipe(createGunzip()) : input, crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    if (line.startsWith('{"type":"Point"') && line.endsWith('"metric":"http_reqs"}')) n++;
  }
  return n;
}

describe('caplab campaign --quick against nginx return 200 without a rate limit', () => {
  it('completes', () => {
    expect(code, log).toBe(0);
  });

  it('keeps every request of every run in its NDJSON points (point count = summary count)', async () => {
    const pairs: [string, string][] = [];
    for (const sub of ['capacity', 'results']) {
      const dcDir = join(out, sub, 'singapore');
      for (const f of readdirSync(dcDir).filter((x) => /^points.*\.ndjson(\.gz)?$/.test(x))) {
        const summary = f.replace(/^points/, 'summary').replace(/\.ndjson(\.gz)?$/, '.json');
        pairs.push([join(dcDir, f), join(dcDir, summary)]);
      }
    }
    // A probe, a sweep and a replay at least.
    expect(pairs.length, pairs.map(([p]) => p).join('\n')).toBeGreaterThanOrEqual(3);
    for (const [points, summary] of pairs) {
      const count = (JSON.parse(readFileSync(summary, 'utf8')) as { metrics: { http_reqs: { values: { count: number } } } }).metrics.http_reqs.values.count;
      expect(count, summary).toBeGreaterThan(0);
      expect(await httpReqPoints(points), points).toBe(count);
    }
  }, 300_000);
});
