/**
 * SIGTERM stops `caplab run` soon (exit 105, outputs written) even with a huge VU count or a flood of slots: real
 * CLI child processes against a loopback server that accepts requests and never answers, signalled once the server
 * has seen the test's first request (so the run is under way, whatever the machine's speed).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CAPLAB_BIN, REPO_ROOT, removeDir, tempDir } from '../helpers/cli.ts';
import { stopChild, waitFor } from '../helpers/process.ts';

let dir: string;
let server: Server;
let port: number;
let requests = 0;
const sockets = new Set<Socket>();
let child: ChildProcess | undefined;

beforeAll(async () => {
  dir = tempDir('caplab-run-signals-');
  server = createServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => {});
    sock.on('data', () => { requests++; });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterEach(async () => { await stopChild(child, 'SIGKILL', 1000); child = undefined; });
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  removeDir(dir);
});

/** Runs the CLI on a spec, SIGTERMs it once the server has seen a request; resolves with the code and the seconds from signal to exit. */
async function interrupt(name: string, scenario: Record<string, unknown>, args: string[]): Promise<{ code: number | null; afterSignalMs: number; summary: string; stderr: string }> {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({
    schema: 'caplab.scenario/v1', name, baseUrl: `http://127.0.0.1:${port}`,
    options: { scenarios: { c: scenario } }, flows: { default: { steps: [{ name: 'r', path: '/' }] } },
  }));
  const summary = join(dir, `${name}-summary.json`);
  const seen = requests;
  let stderr = '';
  const c = spawn(process.execPath, [CAPLAB_BIN, '--quiet', '--out-dir', dir, 'run', path, '--summary-json', summary, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  child = c;
  c.stderr!.on('data', (b: Buffer) => { stderr += b.toString(); });
  const exited = new Promise<number | null>((r) => c.on('exit', (code) => r(code)));
  // Start-up (module loading, then VU creation) is slow on a busy machine: wait generously for the first request.
  await waitFor('the run\'s first request', 120_000, async () => requests > seen || c.exitCode !== null, () => stderr);
  const t = performance.now();
  c.kill('SIGTERM');
  const code = await exited;
  return { code, afterSignalMs: performance.now() - t, summary, stderr };
}

// gracefulStop is 1 s, but a stopped test interrupts its iterations at once (k6); the rest of the bound is margin
// for a busy 2-core machine writing the outputs (measured: 0.5-3.5 s under a load average of 15).
const BOUND_MS = 1000 + 10_000;

describe('caplab run: SIGTERM', () => {
  it('stops a run holding 150,000 VUs (exit 105, summary written)', async () => {
    const r = await interrupt('many', { executor: 'constant-arrival-rate', rate: 10, timeUnit: '1s', duration: '5m', preAllocatedVUs: 150_000, gracefulStop: '1s' }, ['--workers', '1']);
    expect(r.code, r.stderr).toBe(105);
    expect(r.afterSignalMs).toBeLessThan(BOUND_MS);
    expect(existsSync(r.summary)).toBe(true);
    expect(JSON.parse(readFileSync(r.summary, 'utf8')).metrics.vus_max.values.value).toBe(150_000);
  }, 240_000);

  it('stops a flood at 1e12/s on worker threads (exit 105, summary written)', async () => {
    const r = await interrupt('flood', { executor: 'constant-arrival-rate', rate: 1e12, timeUnit: '1s', duration: '5m', preAllocatedVUs: 20, gracefulStop: '1s' }, []);
    expect(r.code, r.stderr).toBe(105);
    expect(r.afterSignalMs).toBeLessThan(BOUND_MS);
    expect(JSON.parse(readFileSync(r.summary, 'utf8')).metrics.dropped_iterations.values.count).toBeGreaterThan(0);
  }, 240_000);
});
