/**
 * `caplab run --runner k6`. Real k6 cannot be installed here, so the second test puts a stand-in `k6` on PATH that
 * records how it was called (and checks the script and users it was given): what is under test is caplab's side,
 * the generated files and the flag mapping.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';

const dir = tempDir('caplab-run-k6-');
afterAll(() => removeDir(dir));

const spec = {
  schema: 'caplab.scenario/v1', name: 'k6-runner', baseUrl: 'http://127.0.0.1:9',
  data: { users: { file: 'users.ndjson' } },
  options: { scenarios: { one: { executor: 'shared-iterations', vus: 1, iterations: 1 } } },
  flows: { default: { steps: [{ name: 'ping', path: '/healthz' }] } },
};
writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
writeFileSync(join(dir, 'users.ndjson'), `${JSON.stringify({ id: 'u1-0', country: 'SG' })}\n`);

describe('caplab run --runner k6', () => {
  it('says how to install k6 when it is not on PATH (exit 104)', async () => {
    const r = await runCli(['run', '--runner', 'k6', join(dir, 'spec.json')], { env: { PATH: '/nonexistent' } });
    expect(r.code).toBe(104);
    expect(r.stderr).toMatch(/k6 is not on PATH\. Install it/);
    expect(r.stderr).toMatch(/--runner engine/);
  });

  it('runs the generated script with k6, mapping outputs and flags, and passes its exit code through', async () => {
    const bin = join(dir, 'bin');
    const log = join(dir, 'k6-call.json');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'k6'), `#!/usr/bin/env node
const fs = require('node:fs'); const path = require('node:path');
const args = process.argv.slice(2);
if (args[0] === 'version') { console.log('k6 v1.0.0 (stand-in)'); process.exit(0); }
const script = args[args.length - 1];
const env = args.flatMap((a, i) => (a === '-e' ? [args[i + 1]] : []));
fs.writeFileSync(${JSON.stringify(log)}, JSON.stringify({ args, cwd: process.cwd(),
  script: fs.readFileSync(script, 'utf8'), users: fs.readdirSync(path.dirname(script)) }));
const summary = env.find((e) => e.startsWith('CAPLAB_SUMMARY=')).slice('CAPLAB_SUMMARY='.length);
fs.writeFileSync(summary, '{}');
process.exit(99);
`);
    chmodSync(join(bin, 'k6'), 0o755);
    const r = await runCli(['--quiet', 'run', '--runner', 'k6', join(dir, 'spec.json'), '--vus', '2', '--duration', '3s',
      '-o', `json=${join(dir, 'points.ndjson.gz')}`, '--summary-json', join(dir, 'summary.json'), '--summary-export', join(dir, 'export.json'),
      '--tag', 'dc=singapore'], { env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(r.code, r.stderr).toBe(99);
    const call = JSON.parse(readFileSync(log, 'utf8')) as { args: string[]; script: string; users: string[] };
    expect(call.args.slice(0, 6)).toEqual(['run', '--quiet', '--vus', '2', '--duration', '3s']);
    expect(call.args).toContain(`json=${join(dir, 'points.ndjson.gz')}`);
    expect(call.args).toContain(join(dir, 'export.json'));
    expect(call.args.join(' ')).toMatch(/--tag dc=singapore/);
    expect(call.script).toMatch(/from 'k6\/http'/);
    expect(call.script).toMatch(/export function handleSummary/);
    expect(call.users.sort()).toEqual(['script.js', 'users.ndjson']);
    expect(existsSync(join(dir, 'summary.json'))).toBe(true);
  });
});
