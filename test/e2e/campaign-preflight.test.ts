/**
 * A campaign against targets that are down, and against wrong DCs and targets, with the real CLI: every input
 * problem is listed before any work (104, nothing written), and a target that refuses, never answers or fails TLS
 * stops the campaign at the pre-flight, before any load, naming the target, the request and the error (107).
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { freePort } from '../helpers/process.ts';

const dir = tempDir('caplab-e2e-preflight-');
const sockets: Socket[] = [];
const servers: Server[] = [];
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  removeDir(dir);
}, 10_000);

/** A listener that accepts connections and never answers (a hung service). */
async function silentListener(): Promise<number> {
  const server = createServer((sock) => {
    sockets.push(sock);
    sock.on('error', () => {});
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

/** A listener that speaks plain text where TLS is expected. */
async function notTls(): Promise<number> {
  const server = createServer((sock) => {
    sockets.push(sock);
    sock.on('error', () => {});
    sock.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n');
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

const campaignFile = (name: string, yaml: string): string => {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, yaml);
  return path;
};

/** Loaded nothing: no staging folder has a capacity or results folder, and the out folder was never made. */
function loadedNothing(out: string): void {
  expect(existsSync(out)).toBe(false);
  const parent = join(out, '..');
  for (const e of readdirSync(parent).filter((x) => x.startsWith('out.staging-'))) {
    expect(readdirSync(join(parent, e)).filter((x) => x === 'capacity' || x === 'results'), e).toEqual([]);
  }
}

describe('campaign input problems are all listed before any work', () => {
  it('an unknown DC, a DC without a target and a bad field: 104, one run, nothing written', async () => {
    const out = join(dir, 'inputs', 'out');
    const file = campaignFile('inputs', 'dcs: [singapore, mars]\ntargets: { us-west-1: "http://127.0.0.1:1" }\nrateScale: 3\n');
    const r = await runCli(['--out-dir', out, 'campaign', '--quick', file]);
    expect(r.code, r.stderr).toBe(104);
    expect(r.stderr).toContain(`${file}: rateScale`);
    expect(r.stderr).toMatch(/dcs\[1\]: "mars" is not a DC of placement seed-4dc \(beijing, singapore, us-west-1, us-west-2\)/);
    expect(existsSync(join(dir, 'inputs'))).toBe(false);
    // With the bad field fixed, the DC and target problems are still reported together, before the forecast.
    const r2 = await runCli(['--out-dir', out, 'campaign', '--quick', campaignFile('inputs2', 'dcs: [singapore, mars]\ntargets: { us-west-1: "http://127.0.0.1:1" }\n')]);
    expect(r2.code, r2.stderr).toBe(104);
    expect(r2.stderr).toMatch(/dcs\[1\]: "mars" is not a DC/);
    expect(r2.stderr).toMatch(/targets: no URL for singapore, mars/);
    expect(r2.stderr).not.toMatch(/forecast: done/);
    expect(existsSync(join(dir, 'inputs'))).toBe(false);
    // Generous: two CLI starts and the input checks take about 10 s on an idle machine, 25 s on a starved one.
  }, 180_000);
});

describe('pre-flight: a target that is down stops the campaign before any load', () => {
  it('a refused port: 107, naming the DC, target, request and ECONNREFUSED', async () => {
    const port = await freePort();
    const out = join(dir, 'refused', 'out');
    const r = await runCli(['--out-dir', out, 'campaign', '--quick', campaignFile('refused', `dcs: [singapore]\ntargets: { singapore: "http://127.0.0.1:${port}" }\n`)]);
    expect(r.code, r.stderr).toBe(107);
    expect(r.stderr).toMatch(new RegExp(`pre-flight: 1 request failed, nothing was loaded:\\n  singapore http://127\\.0\\.0\\.1:${port}: \\w+: POST http://127\\.0\\.0\\.1:${port}/v1/devices/register: dial: connection refused \\(k6 error_code 1212, ECONNREFUSED\\)`));
    expect(r.stderr).not.toMatch(/probe: done|NDJSON|USL/);
    loadedNothing(out);
  }, 120_000);

  it('a listener that never answers: 107 after the pre-flight timeout, not a USL complaint', async () => {
    const port = await silentListener();
    const out = join(dir, 'silent', 'out');
    const r = await runCli(['--out-dir', out, 'campaign', '--quick', campaignFile('silent', `dcs: [singapore]\ntargets: { singapore: "http://127.0.0.1:${port}" }\n`)]);
    expect(r.code, r.stderr).toBe(107);
    expect(r.stderr).toMatch(/singapore http:\/\/127\.0\.0\.1:\d+: \w+: POST \S+\/v1\/devices\/register: no response within 10 s \(k6 error_code 1050\)/);
    expect(r.stderr).not.toMatch(/USL|concurrency levels/);
    loadedNothing(out);
  }, 120_000);

  it('TLS that fails: 107 with the TLS error, no ceiling and no "measure it with caplab campaign"', async () => {
    const port = await notTls();
    const out = join(dir, 'tls', 'out');
    const r = await runCli(['--out-dir', out, 'campaign', '--quick', campaignFile('tls', `dcs: [singapore]\ntargets: { singapore: "https://127.0.0.1:${port}" }\n`)]);
    expect(r.code, r.stderr).toBe(107);
    expect(r.stderr).toMatch(/singapore https:\/\/127\.0\.0\.1:\d+: \w+: POST \S+: \S*(SSL|TLS|EPROTO|ECONNRESET)/i);
    expect(r.stderr).not.toMatch(/measure it with caplab campaign|ceiling/);
    loadedNothing(out);
  }, 120_000);
});
