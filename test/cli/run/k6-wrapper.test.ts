/**
 * `caplab run` on a spec whose flows are a team's own k6 script's functions (`flows.<service>.k6`): under
 * `--runner k6` caplab writes a wrapper importing the script unchanged and hands it to k6; the embedded engine refuses
 * it (exit 104, it runs no JavaScript). A recording stand-in on PATH shows what k6 got.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDir } from '../../helpers/cli.ts';

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

  it('lists every reason it cannot be wrapped: steps next to k6 flows, a second script, an exec the script lacks', async () => {
    writeFileSync(join(dir, 'other.js'), 'export function x() {}\n');
    const bad = spec({
      ping: { steps: [{ url: 'http://127.0.0.1:9/p' }] },
      refund: { k6: { script: 'other.js', exec: 'x' } },
      buy: { k6: { script: 'team.js', exec: 'purchase' } },
    });
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
    const bin = join(dir, 'bin');
    const r = await runCli(['run', '--runner', 'k6', join(dir, 'bad.json')], { env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(r.code).toBe(104);
    expect(r.stderr).toContain('flows.refund.k6.script');
    expect(r.stderr).toContain('flows.ping');
    writeFileSync(join(dir, 'bad2.json'), JSON.stringify(spec({ buy: { k6: { script: 'team.js', exec: 'purchase' } } })));
    const r2 = await runCli(['run', '--runner', 'k6', join(dir, 'bad2.json')], { env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(r2.code).toBe(104);
    expect(r2.stderr).toMatch(/exports no "purchase" \(it exports "browse", "buy"\)/);
  });
});
