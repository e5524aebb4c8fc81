/**
 * `caplab run --runner k6`. Real k6 cannot be installed here, so stand-ins go on PATH: one that records how it was
 * called (and checks the script and users it was given), for the flag mapping; and test/helpers/k6-standin, which
 * runs the generated script against a 127.0.0.1 server and, like k6, writes only into directories that exist, for the
 * outputs and for how k6's own failures are reported.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { k6Outcome } from '../../../cli/run/k6.ts';
import { ScriptError } from '../../../cli/errors.ts';
import { removeDir, runCli, tempDir } from '../../helpers/cli.ts';
import { installK6Standin } from '../../helpers/k6-standin/main.ts';
import { startRecordingServer } from '../../scenarios/k6/responder.ts';

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

describe('caplab run --runner k6 with a k6 that writes only where directories exist', () => {
  const bin = installK6Standin(join(dir, 'standin-bin'));
  const env = { PATH: `${bin}:${process.env.PATH ?? ''}` };
  let server: Awaited<ReturnType<typeof startRecordingServer>>;
  let specPath: string;
  beforeAll(async () => {
    server = await startRecordingServer();
    specPath = join(dir, 'served.json');
    writeFileSync(specPath, JSON.stringify({
      ...spec, name: 'k6-standin', baseUrl: server.url,
      options: { scenarios: { one: { executor: 'shared-iterations', vus: 1, iterations: 3, tags: { step: '1' } } } },
      flows: { default: { steps: [{ name: 'doc', path: '/json', checks: { status: 200 } }] } },
    }));
  });
  afterAll(() => server.close());

  it('makes the directories of --out json, --summary-json and --summary-export before k6 runs', async () => {
    const out = join(dir, 'made', 'deeper');
    // A BASE_URL in the environment, which `k6 run` (and the stand-in) hands the script, does not redirect it.
    const r = await runCli(['--quiet', 'run', '--runner', 'k6', specPath, '-o', `json=${join(out, 'points', 'p.ndjson.gz')}`,
      '--summary-json', join(out, 'summary', 's.json'), '--summary-export', join(out, 'export', 'e.json')], { env: { ...env, BASE_URL: 'http://127.0.0.1:9/elsewhere' } });
    expect(r.code, r.stderr).toBe(0);
    expect(server.seen.map((q) => q.url)).toEqual(['/json', '/json', '/json']);
    const points = gunzipSync(readFileSync(join(out, 'points', 'p.ndjson.gz'))).toString('utf8').trimEnd().split('\n');
    const reqs = points.filter((l) => l.startsWith('{"type":"Point"') && l.includes('"metric":"http_reqs"'));
    expect(reqs).toHaveLength(3);
    expect(JSON.parse(reqs[0]!).data.tags).toMatchObject({ scenario: 'one', step: '1', name: 'doc', status: '200' });
    const summary = JSON.parse(readFileSync(join(out, 'summary', 's.json'), 'utf8'));
    expect(summary.metrics.http_reqs.values.count).toBe(3);
    expect(summary.root_group.checks[0]).toMatchObject({ name: 'doc: status is 200', passes: 3, fails: 0 });
    expect(JSON.parse(readFileSync(join(out, 'export', 'e.json'), 'utf8')).metrics.http_reqs.count).toBe(3);
  });

  it('reports a k6 that exits with a code of its own (255: an output it cannot open) as a runner failure: 107 quoting k6', async () => {
    const message = "could not open '/nowhere/summary.json': open /nowhere/summary.json: no such file or directory";
    const r = await runCli(['--quiet', 'run', '--runner', 'k6', specPath, '--summary-json', join(dir, 'fail', 's.json')],
      { env: { ...env, CAPLAB_K6_STANDIN_FAIL: message } });
    expect(r.code, r.stderr).toBe(107);
    expect(r.stderr).toMatch(/caplab: k6 failed: it exited with code 255: .*could not open '\/nowhere\/summary\.json'/);
  });

  it('reports a k6 killed by a signal as a runner failure: 107', async () => {
    const r = await runCli(['--quiet', 'run', '--runner', 'k6', specPath, '--summary-json', join(dir, 'killed', 's.json')],
      { env: { ...env, CAPLAB_K6_STANDIN_FAIL: 'SIGKILL' } });
    expect(r.code, r.stderr).toBe(107);
    expect(r.stderr).toMatch(/caplab: k6 failed: it was killed by SIGKILL/);
  });
});

describe('k6Outcome', () => {
  it('passes through the exit codes k6 shares with caplab', () => {
    for (const code of [0, 99, 104, 105, 107]) expect(k6Outcome(code, null, 'anything')).toBe(code);
    expect(k6Outcome(null, 'SIGINT', '')).toBe(105);
  });

  it('turns any other end into a ScriptError (107) quoting the last three stderr lines, colours stripped', () => {
    const tail = 'one\ntwo\n\x1b[31mERRO\x1b[0m[0000] three\nfour\n\n';
    expect(() => k6Outcome(255, null, tail)).toThrow(ScriptError);
    expect(() => k6Outcome(255, null, tail)).toThrow('k6 failed: it exited with code 255: two | ERRO[0000] three | four');
    expect(() => k6Outcome(108, null, '')).toThrow('k6 failed: it exited with code 108 and wrote nothing to stderr');
    expect(() => k6Outcome(null, 'SIGSEGV', 'boom')).toThrow('k6 failed: it was killed by SIGSEGV: boom');
  });
});
