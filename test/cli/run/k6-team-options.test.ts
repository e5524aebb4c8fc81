/**
 * `caplab run --runner k6` keeps a team script's own thresholds and non-load options, as `k6 run` of the script
 * would apply them: two of k6's own examples (test/fixtures/k6/thresholds.js and tls_skip_cert_verification.js,
 * from grafana/k6 v0.48.0, adapted to local targets) run through caplab's wrapper on the k6 stand-in
 * (test/helpers/k6-standin, on PATH as `k6`), against real 127.0.0.1 servers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, removeDir, runCli, tempDir } from '../../helpers/cli.ts';
import { installK6Standin } from '../../helpers/k6-standin/main.ts';
import { selfSignedCert } from '../../helpers/self-signed-cert.ts';
import { startRecordingServer } from '../../scenarios/k6/responder.ts';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'k6');
const dir = tempDir('caplab-run-k6-team-options-');
const bin = installK6Standin(join(dir, 'bin'));
afterAll(() => removeDir(dir));

/** A spec running one function of a team script, two iterations of one VU, with caplab's own thresholds. */
function writeSpec(name: string, script: string, thresholds: Record<string, string[]>): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({
    schema: 'caplab.scenario/v1', name,
    options: { scenarios: { probe: { executor: 'per-vu-iterations', vus: 1, iterations: 2, exec: 'example' } }, thresholds },
    flows: { example: { k6: { script, exec: 'default' } } },
  }));
  return path;
}

interface Summary {
  metrics: Record<string, { values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }>;
  root_group: { checks: { name: string; passes: number; fails: number }[] };
}
const summaryOf = (path: string): Summary => JSON.parse(readFileSync(path, 'utf8')) as Summary;

describe('caplab run --runner k6 keeps a team script\'s thresholds', () => {
  let server: Awaited<ReturnType<typeof startRecordingServer>>;
  beforeAll(async () => { server = await startRecordingServer(); });
  afterAll(() => server.close());

  it('k6\'s examples/thresholds.js exits 99 (its p(95)<0.001 is crossed), with caplab\'s thresholds on the same metric applied too', async () => {
    const spec = writeSpec('thresholds', join(FIXTURES, 'thresholds.js'), { http_req_duration: ['p(95)<60000'], http_req_failed: ['rate<0.5'] });
    const summary = join(dir, 'thresholds-summary.json');
    const r = await runCli(['run', '--runner', 'k6', spec, '--summary-json', summary], { env: { PATH: `${bin}:${process.env.PATH ?? ''}`, CAPLAB_TEST_TARGET: server.url } });
    expect(r.code, r.stderr).toBe(99);
    // The script's requests, as it makes them: a GET and a form POST per iteration.
    expect(server.seen.map((q) => [q.method, q.url, q.body])).toEqual([['GET', '/', ''], ['POST', '/post', 'data=some+data'], ['GET', '/', ''], ['POST', '/post', 'data=some+data']]);
    const s = summaryOf(summary);
    // Both lists judge http_req_duration: the script's crossed, caplab's held.
    expect(s.metrics.http_req_duration!.thresholds).toEqual({ 'p(95)<0.001': { ok: false }, 'p(95)<60000': { ok: true } });
    expect(s.metrics[`http_req_duration{name:${server.url}/post}`]!.thresholds).toEqual({ 'max<1000': { ok: true } });
    expect(s.metrics.http_req_failed!.thresholds).toEqual({ 'rate<0.5': { ok: true } });
    // The wrapper says what it kept, once.
    const notes = r.stderr.split('\n').filter((l) => l.includes('caplab: k6 wrapper of'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(`caplab: k6 wrapper of ${join(FIXTURES, 'thresholds.js')}: kept: thresholds (applied beside caplab's)`);
  });

  it('--quiet keeps the thresholds and silences the note', async () => {
    const spec = writeSpec('thresholds-quiet', join(FIXTURES, 'thresholds.js'), {});
    const r = await runCli(['--quiet', 'run', '--runner', 'k6', spec, '--summary-json', join(dir, 'quiet-summary.json')], { env: { PATH: `${bin}:${process.env.PATH ?? ''}`, CAPLAB_TEST_TARGET: server.url } });
    expect(r.code, r.stderr).toBe(99);
    expect(r.stderr).not.toContain('k6 wrapper of');
  });
});

describe('caplab run --runner k6 keeps a team script\'s insecureSkipTLSVerify', () => {
  let https: Server;
  let url: string;
  beforeAll(async () => {
    const cert = selfSignedCert();
    https = createHttpsServer({ key: cert.key, cert: cert.cert }, (_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'); });
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => { https.closeAllConnections(); https.close(() => resolve()); }));

  it('k6\'s examples/tls_skip_cert_verification.js passes against a self-signed certificate: 0 failed', async () => {
    const env = { PATH: `${bin}:${process.env.PATH ?? ''}`, CAPLAB_TEST_TARGET: url };
    const spec = writeSpec('tls', join(FIXTURES, 'tls_skip_cert_verification.js'), {});
    const summary = join(dir, 'tls-summary.json');
    const r = await runCli(['run', '--runner', 'k6', spec, '--summary-json', summary], { env });
    expect(r.code, r.stderr).toBe(0);
    const s = summaryOf(summary);
    expect(s.root_group.checks).toEqual([expect.objectContaining({ name: 'status is 200', passes: 2, fails: 0 })]);
    expect(s.metrics.http_req_failed!.values.passes).toBe(0);
    expect(r.stderr).toMatch(/kept: insecureSkipTLSVerify/);

    // The control: the same script without the option fails every request on the certificate, so the option kept is
    // what made it pass (and the stand-in verifies certificates as k6 does).
    const strict = join(dir, 'tls-strict.js');
    writeFileSync(strict, readFileSync(join(FIXTURES, 'tls_skip_cert_verification.js'), 'utf8').replace('insecureSkipTLSVerify: true', 'insecureSkipTLSVerify: false'));
    const strictSummary = join(dir, 'tls-strict-summary.json');
    const c = await runCli(['run', '--runner', 'k6', writeSpec('tls-strict', strict, {}), '--summary-json', strictSummary], { env });
    // As in k6, failed requests alone do not fail the run; a threshold would.
    expect(c.code, c.stderr).toBe(0);
    const cs = summaryOf(strictSummary);
    expect(cs.root_group.checks).toEqual([expect.objectContaining({ name: 'status is 200', passes: 0, fails: 2 })]);
    expect(cs.metrics.http_req_failed!.values.passes).toBe(2);
  });
});
