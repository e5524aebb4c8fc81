/**
 * End to end: the WebSocket step (k6/ws semantics) of `caplab run` against a server nobody here wrote, Debian's
 * python3-websockets echo server on a loopback port. Exact counts: every session, every message each way and every
 * ping, in the end-of-test summary, in the NDJSON points and as the server counted them. A refused and a rejected
 * handshake fail their status check without an exception, as k6 does with its status read from the response.
 */
import { createServer, type Server } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDir } from '../helpers/cli.ts';
import { type RunningWsEcho, startPythonWsEcho } from '../helpers/python-ws-echo.ts';
import { chatSpec, holdSpec } from '../helpers/ws-chat-spec.ts';

const dir = tempDir('caplab-e2e-ws-');
let echo: RunningWsEcho | undefined;
let rejecting: Server | undefined;

beforeAll(async () => {
  echo = await startPythonWsEcho({ subprotocols: ['chat.v1'] });
  // A plain HTTP server: every upgrade request gets a 403.
  rejecting = createServer((_req, res) => { res.writeHead(403).end('no'); });
  rejecting.on('upgrade', (_req, socket) => { socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'); });
  await new Promise<void>((r) => rejecting!.listen(0, '127.0.0.1', r));
}, 30_000);

afterAll(async () => {
  await echo?.stop();
  await new Promise<void>((r) => (rejecting ? rejecting.close(() => r()) : r()));
  removeDir(dir);
}, 30_000);

interface Summary { metrics: Record<string, { type: string; values: Record<string, number> }> }
interface Point { type: string; metric: string; data: { value: number; tags: Record<string, string> } }

async function run(name: string, spec: unknown): Promise<{ code: number; stderr: string; summary: Summary; points: Point[] }> {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(spec));
  const summaryPath = join(dir, `${name}-summary.json`);
  const points = join(dir, `${name}.ndjson`);
  const r = await runCli(['--quiet', 'run', file, '-o', `json=${points}`, '--summary-json', summaryPath]);
  return {
    code: r.code, stderr: r.stderr, summary: JSON.parse(readFileSync(summaryPath, 'utf8')) as Summary,
    points: readFileSync(points, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Point).filter((p) => p.type === 'Point'),
  };
}

describe('the WebSocket step against python3-websockets', () => {
  it('counts every session, message and ping exactly (3 VUs x 2 iterations)', async () => {
    const r = await run('echo', chatSpec(echo!.url));
    expect(r.code, r.stderr).toBe(0);
    const m = r.summary.metrics;
    expect(m.ws_sessions!.values.count).toBe(6);
    expect(m.ws_msgs_sent!.values.count).toBe(12);
    expect(m.ws_msgs_received!.values.count).toBe(12);
    expect(m.ws_connecting!.type).toBe('trend');
    expect(m.ws_session_duration!.type).toBe('trend');
    expect(m.iterations!.values.count).toBe(6);
    // status 101 and two messages per session: 18 checks, all passed
    expect(m.checks!.values.passes).toBe(18);
    expect(m.checks!.values.fails).toBe(0);
    expect(m.data_sent!.values.count).toBeGreaterThan(0);
    expect(await echo!.received()).toBe(12);
    const byMetric = (name: string) => r.points.filter((p) => p.metric === name);
    expect(byMetric('ws_ping')).toHaveLength(6);
    // A reply time per received echo, from the text sent before it; tagged as the session without subproto.
    const replies = byMetric('caplab_ws_reply_duration');
    expect(replies).toHaveLength(12);
    for (const p of replies) expect(p.data.value).toBeGreaterThanOrEqual(0);
    expect(replies[0]!.data.tags).toMatchObject({ status: '101', name: 'chat' });
    expect(replies[0]!.data.tags.subproto).toBeUndefined();
    expect(byMetric('ws_session_duration')).toHaveLength(6);
    const tags = byMetric('ws_sessions')[0]!.data.tags;
    expect(tags).toMatchObject({ scenario: 'chat', status: '101', subproto: 'chat.v1', name: 'chat', group: '' });
    expect(tags.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/room\?vu=\d$/);
  }, 60_000);

  it('holds a session with a heartbeat, then fails a message that never comes by its check, not by an exception', async () => {
    const before = await echo!.received();
    const r = await run('hold', holdSpec(echo!.url, '300ms'));
    expect(r.code, r.stderr).toBe(0);
    const m = r.summary.metrics;
    const beats = m.ws_msgs_sent!.values.count!;
    // A beat every 100 ms for 1.3 s: 13 at most; timers may run late on a busy runner, never early.
    expect(beats).toBeGreaterThanOrEqual(1);
    expect(beats).toBeLessThanOrEqual(13);
    // Every beat comes back, and the echo server counted each.
    expect(m.ws_msgs_received!.values.count).toBe(beats);
    expect((await echo!.received()) - before).toBe(beats);
    expect(m.checks!.values.fails).toBe(1);
    expect(m.ws_session_duration!.values.min).toBeGreaterThanOrEqual(1000);
  }, 60_000);

  it('runs a long list of actions in one session without piling listeners up (no MaxListeners warning)', async () => {
    const actions = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? { send: `m${i}` } : i % 3 === 1 ? { receive: { contains: `m${i - 1}`, timeout: '5s' } } : { hold: '5ms' }));
    const r = await run('long', {
      schema: 'caplab.scenario/v1', name: 'ws-long',
      options: { scenarios: { l: { executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDuration: '30s' } } },
      flows: { default: { steps: [{ name: 'long', url: echo!.url, ws: { actions } }] } },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/MaxListeners/);
    expect(r.summary.metrics.ws_msgs_sent!.values.count).toBe(10);
    expect(r.summary.metrics.checks!.values.passes).toBe(10);
  }, 60_000);

  it('a rejected and a refused handshake: sessions counted with their status, status checks failed, the run goes on', async () => {
    const port = (rejecting!.address() as AddressInfo).port;
    const r = await run('fail', {
      schema: 'caplab.scenario/v1', name: 'ws-fail',
      options: { scenarios: { f: { executor: 'per-vu-iterations', vus: 1, iterations: 2, maxDuration: '30s' } } },
      flows: { default: { steps: [
        { name: 'rejected', url: `ws://127.0.0.1:${port}/`, ws: { actions: [{ send: 'x' }] }, checks: { status: 101 } },
        { name: 'refused', url: 'ws://127.0.0.1:1/', ws: { actions: [{ send: 'x' }] }, checks: { status: 101 } },
      ] } },
    });
    expect(r.code, r.stderr).toBe(0);
    const m = r.summary.metrics;
    expect(m.iterations!.values.count).toBe(2);
    expect(m.ws_sessions!.values.count).toBe(4);
    expect(m.ws_msgs_sent).toBeUndefined();
    expect(m.checks!.values.fails).toBe(4);
    const statuses = r.points.filter((p) => p.metric === 'ws_sessions').map((p) => p.data.tags.status ?? 'none');
    expect(statuses.sort()).toEqual(['403', '403', 'none', 'none']);
  }, 60_000);
});
