/**
 * `caplab run` on a spec whose flows are a team's own k6 script's functions (`flows.<service>.k6`): under
 * `--runner k6` caplab writes a wrapper importing the script unchanged and hands it to k6; the embedded engine refuses
 * it (exit 104, it runs no JavaScript). A recording stand-in on PATH shows what k6 got.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDir } from '../../helpers/cli.ts';
import { installK6Standin } from '../../helpers/k6-standin/main.ts';
import { startRecordingServer } from '../../scenarios/k6/responder.ts';

const dir = tempDir('caplab-run-k6-wrapper-');
afterAll(() => removeDir(dir));

const team = [
  "import http from 'k6/http';",
  "export const options = { vus: 50, duration: '1h' };",
  "export function browse() { http.get('http://127.0.0.1:9/a'); }",
  "export function buy() { http.get('http://127.0.0.1:9/b'); http.get('http://127.0.0.1:9/a'); }",
  '',
].join('\n');
writeFileSync(join(dir, 'team.js'), team);
const spec = (flows: Record<string, unknown>) => ({
  schema: 'caplab.scenario/v1', name: 'team-mix',
  options: { scenarios: { load: { executor: 'constant-arrival-rate', rate: 5, timeUnit: '1s', duration: '2s', preAllocatedVUs: 2, exec: 'mixed', tags: { rate: '8' } } }, thresholds: { 'http_req_failed{service:buy}': ['rate<0.01'] } },
  flows: { browse: { k6: { script: 'team.js', exec: 'browse' } }, buy: { k6: { script: 'team.js', exec: 'buy', requestsPerUse: 2 } }, mixed: { mix: { browse: 3, buy: 1 } }, ...flows },
});
writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec({})));

describe('caplab run on a spec of k6 script functions', () => {
  it('--runner k6 runs a wrapper importing the script by its absolute path, with caplab\'s options in place of its load', async () => {
    const bin = join(dir, 'bin');
    const log = join(dir, 'call.json');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'k6'), `#!/usr/bin/env node
const fs = require('node:fs');
const args = process.argv.slice(2);
if (args[0] === 'version') { console.log('k6 v1.0.0 (stand-in)'); process.exit(0); }
const script = args[args.length - 1];
fs.writeFileSync(${JSON.stringify(log)}, JSON.stringify({ file: script, script: fs.readFileSync(script, 'utf8') }));
process.exit(0);
`);
    chmodSync(join(bin, 'k6'), 0o755);
    const r = await runCli(['--quiet', 'run', '--runner', 'k6', join(dir, 'spec.json')], { env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(r.code, r.stderr).toBe(0);
    const call = JSON.parse(readFileSync(log, 'utf8')) as { file: string; script: string };
    expect(call.file.endsWith('/wrapper.js')).toBe(true);
    expect(call.script).toContain(`import * as user from '${join(dir, 'team.js')}';`);
    const options = JSON.parse(/const CAPLAB_OPTIONS = (\{[\s\S]*?\n\});/.exec(call.script)![1]!) as { scenarios: Record<string, { exec: string; rate: number; tags: Record<string, string> }>; thresholds: Record<string, string[]> };
    expect(options.scenarios.load).toMatchObject({ executor: 'constant-arrival-rate', rate: 5, exec: 'mixed', tags: { rate: '8' } });
    expect(options.thresholds).toEqual({ 'http_req_failed{service:buy}': ['rate<0.01'] });
    // The script's own options are read by the wrapper at init, not copied into it (test/cli/run/k6-team-options.test.ts).
    expect(call.script).not.toMatch(/vus: 50|'1h'/);
    expect(call.script).toContain('export const options = caplabMerged.options;');
    // One function per service, and the mix's weights in the mix's order.
    expect(call.script).toMatch(/export function service_browse\(data\)/);
    expect(call.script).toMatch(/export function service_buy\(data\)/);
    expect(call.script).toMatch(/"browse",\s*0\.75/);
  });

  it('the engine refuses it, naming each k6 flow (exit 104); caplab k6 build wraps it (test/cli/k6-build.test.ts)', async () => {
    const r = await runCli(['run', join(dir, 'spec.json')]);
    expect(r.code).toBe(104);
    expect(r.stderr).toContain(`${join(dir, 'spec.json')}: flows.browse.k6`);
    expect(r.stderr).toContain(`${join(dir, 'spec.json')}: flows.buy.k6`);
    expect(r.stderr).toMatch(/embedded engine cannot run[\s\S]*--runner k6/);
    const b = await runCli(['k6', 'build', join(dir, 'spec.json'), '--out-dir', join(dir, 'k6-out')]);
    expect(b.code, b.stderr).toBe(0);
    expect(readFileSync(join(dir, 'k6-out', 'script.js'), 'utf8')).toContain("import * as user from './team.js';");
    expect(readFileSync(join(dir, 'k6-out', 'team.js'), 'utf8')).toBe(team);
  });

  it('lists every reason it cannot be wrapped: a second mix, an exec the script lacks', async () => {
    const bad = spec({ other: { mix: { browse: 1 } } });
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
    const bin = join(dir, 'bin');
    const r = await runCli(['run', '--runner', 'k6', join(dir, 'bad.json')], { env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(r.code).toBe(104);
    expect(r.stderr).toContain('flows.other: a wrapper runs one mix, named "mixed"');
    writeFileSync(join(dir, 'bad2.json'), JSON.stringify(spec({ buy: { k6: { script: 'team.js', exec: 'purchase' } } })));
    const r2 = await runCli(['run', '--runner', 'k6', join(dir, 'bad2.json')], { env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(r2.code).toBe(104);
    expect(r2.stderr).toMatch(/exports no "purchase" \(it exports "browse", "buy"\)/);
  });

  it('runs caplab steps beside functions of two team scripts in one mix: each module\'s setup, data and teardown, one users file, tags by service', async () => {
    const server = await startRecordingServer();
    try {
      const mixDir = join(dir, 'mixed');
      mkdirSync(join(mixDir, 'search'), { recursive: true });
      writeFileSync(join(mixDir, 'shop.js'), "import http from 'k6/http';\nexport function browse() { http.get(__ENV.BASE_URL + '/browse'); }\n");
      writeFileSync(join(mixDir, 'search', 'search.js'), [
        "import http from 'k6/http';",
        "export const options = { thresholds: { 'http_reqs{service:search}': ['count>0'] } };",
        "export function setup() { return { q: 'phones' }; }",
        "export default function (data) { http.get(__ENV.BASE_URL + '/search?q=' + data.q); }",
        "export function teardown(data) { http.get(__ENV.BASE_URL + '/bye?q=' + data.q); }",
        '',
      ].join('\n'));
      const specPath = join(mixDir, 'spec.json');
      writeFileSync(specPath, JSON.stringify({
        schema: 'caplab.scenario/v1', name: 'mixed-kinds', baseUrl: server.url,
        data: { users: { seed: 1, count: 3, dc: 'singapore' } },
        setup: { steps: [{ name: 'login', method: 'POST', path: '/register', json: { userId: 'setup' }, extract: { token: '$.token' } }] },
        options: { scenarios: { load: { executor: 'per-vu-iterations', vus: 2, iterations: 15, exec: 'mixed' } } },
        flows: {
          ping: { steps: [{ name: 'ping', path: '/ping?u={{user.id}}', headers: { authorization: 'Bearer {{vars.token}}' } }] },
          browse: { k6: { script: 'shop.js', exec: 'browse' } },
          search: { k6: { script: 'search/search.js', exec: 'default' } },
          mixed: { mix: { ping: 1, browse: 1, search: 1 } },
        },
      }));
      const bin = installK6Standin(join(dir, 'standin-bin'));
      const points = join(mixDir, 'points.ndjson');
      const summary = join(mixDir, 'summary.json');
      // A BASE_URL in the environment does not redirect caplab's steps, and the team scripts see the spec's too.
      const r = await runCli(['run', '--runner', 'k6', specPath, '-o', `json=${points}`, '--summary-json', summary],
        { env: { PATH: `${bin}:${process.env.PATH ?? ''}`, BASE_URL: 'http://127.0.0.1:9/elsewhere' } });
      expect(r.code, r.stderr).toBe(0);
      const paths = server.seen.map((q) => q.url.split('?')[0]!);
      // caplab's setup and the search script's setup ran once, first; search's teardown once, last.
      expect(server.seen[0]).toMatchObject({ method: 'POST', url: '/register' });
      expect(paths.filter((p) => p === '/register')).toHaveLength(1);
      expect(server.seen.at(-1)!.url).toBe('/bye?q=phones');
      const served = server.seen.slice(1, -1);
      expect(served).toHaveLength(30);
      for (const q of served) {
        if (q.url.startsWith('/ping')) {
          expect(q.url).toMatch(/^\/ping\?u=u1-\d$/);
          expect(q.headers.authorization).toBe('Bearer t-setup');
        } else if (q.url.startsWith('/search')) expect(q.url).toBe('/search?q=phones');
        else expect(q.url).toBe('/browse');
      }
      for (const p of ['/ping', '/search', '/browse']) expect(paths.filter((x) => x === p).length).toBeGreaterThan(0);
      const services = readFileSync(points, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; metric: string; data: { tags: Record<string, string> } })
        .filter((p) => p.type === 'Point' && p.metric === 'http_reqs' && p.data.tags.group === '').map((p) => p.data.tags.service);
      expect(new Set(services)).toEqual(new Set(['ping', 'browse', 'search']));
      // The search script's own threshold applies.
      expect(JSON.parse(readFileSync(summary, 'utf8')).metrics['http_reqs{service:search}'].thresholds).toEqual({ 'count>0': { ok: true } });
      expect(r.stderr).toContain(`caplab: k6 wrapper of ${join(mixDir, 'search', 'search.js')}: kept: thresholds`);
    } finally {
      await server.close();
    }
  });
});
