/**
 * The k6/ws stand-in (standins/ws.ts) under the stand-in k6 binary: `caplab k6 build` compiles specs with WebSocket
 * steps, and `k6 run` (test/helpers/k6-standin on PATH) runs the scripts against Debian's python3-websockets echo
 * server. The counts are the engine's (test/e2e/ws-python.test.ts): every session, message each way, ping, check
 * and reply time, as k6 would emit them. A refused and a 403 handshake end ws.connect() with status 0 / 403 and no
 * exception. A hand-written script pins the k6/ws API details the generated scripts lean on: the Response fields,
 * the order callback -> 'open', close()'s default code, send after close, exceptions, the session cap.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, removeDir, runCli, tempDir } from '../../helpers/cli.ts';
import { installK6Standin } from '../../helpers/k6-standin/main.ts';
import { runK6 } from '../../helpers/k6-standin/run-k6.ts';
import { type RunningWsEcho, startPythonWsEcho } from '../../helpers/python-ws-echo.ts';
import { chatSpec, holdSpec } from '../../helpers/ws-chat-spec.ts';

const dir = tempDir('caplab-k6-ws-standin-');
const bin = installK6Standin(join(dir, 'bin'));
let echo: RunningWsEcho | undefined;
let rejecting: Server | undefined;
let rejectingPort = 0;

beforeAll(async () => {
  echo = await startPythonWsEcho({ subprotocols: ['chat.v1'] });
  // A plain HTTP server: every upgrade request gets a 403 with a body.
  rejecting = createServer((_req, res) => { res.writeHead(403).end('no'); });
  rejecting.on('upgrade', (_req, socket) => { socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\nX-Why: closed\r\nConnection: close\r\n\r\nno'); });
  await new Promise<void>((r) => rejecting!.listen(0, '127.0.0.1', r));
  rejectingPort = (rejecting.address() as AddressInfo).port;
}, 30_000);

afterAll(async () => {
  await echo?.stop();
  await new Promise<void>((r) => (rejecting ? rejecting.close(() => r()) : r()));
  removeDir(dir);
}, 30_000);

interface Summary { metrics: Record<string, { type: string; values: Record<string, number> }> }
interface Point { type: string; metric: string; data: { value: number; tags: Record<string, string> } }

/** Runs `k6 ...args` (the stand-in on PATH) in `cwd`, with extra environment variables. */
const k6 = (args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> => runK6(args, cwd, bin, env);

const pointsOf = (path: string): Point[] => readFileSync(path, 'utf8').split('\n').filter((l) => l !== '')
  .map((l) => JSON.parse(l) as Point).filter((p) => p.type === 'Point');

/** `caplab k6 build` of a spec, then the stand-in's `k6 run` of the script: exit code, summary, NDJSON points. */
async function buildAndRun(name: string, spec: unknown): Promise<{ code: number; stderr: string; summary: Summary; points: Point[] }> {
  const specPath = join(dir, `${name}.json`);
  writeFileSync(specPath, JSON.stringify(spec));
  const out = join(dir, name);
  const b = await runCli(['--out-dir', out, 'k6', 'build', specPath]);
  expect(b.code, b.stderr).toBe(0);
  const r = await k6(['run', '--quiet', '--out', 'json=points.ndjson', '-e', 'CAPLAB_SUMMARY=summary.json', 'script.js'], out);
  expect(r.code, r.stderr).toBe(0);
  return {
    code: r.code, stderr: r.stderr, summary: JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary,
    points: pointsOf(join(out, 'points.ndjson')),
  };
}

describe('generated k6 scripts with WebSocket steps, on the stand-in k6 against python3-websockets', () => {
  it('counts every session, message, ping, check and reply time exactly (3 VUs x 2 iterations)', async () => {
    const before = await echo!.received();
    const r = await buildAndRun('echo', chatSpec(echo!.url));
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
    expect((await echo!.received()) - before).toBe(12);
    const byMetric = (name: string): Point[] => r.points.filter((p) => p.metric === name);
    expect(byMetric('ws_ping')).toHaveLength(6);
    expect(byMetric('ws_connecting')).toHaveLength(6);
    expect(byMetric('ws_session_duration')).toHaveLength(6);
    for (const p of [...byMetric('ws_ping'), ...byMetric('ws_connecting'), ...byMetric('ws_session_duration')]) expect(p.data.value).toBeGreaterThan(0);
    // One reply time per received echo, from the text sent before it.
    const replies = byMetric('caplab_ws_reply_duration');
    expect(replies).toHaveLength(m.ws_msgs_received!.values.count!);
    for (const p of replies) expect(p.data.value).toBeGreaterThanOrEqual(0);
    expect(replies[0]!.data.tags).toMatchObject({ status: '101', name: 'chat' });
    expect(replies[0]!.data.tags.subproto).toBeUndefined();
    // k6's tags: the VU's (scenario), group, params.tags (name), url as given, status and the server's subprotocol.
    for (const metric of ['ws_sessions', 'ws_connecting', 'ws_msgs_sent', 'ws_msgs_received', 'ws_ping', 'ws_session_duration']) {
      for (const p of byMetric(metric)) {
        expect(p.data.tags, metric).toMatchObject({ scenario: 'chat', status: '101', subproto: 'chat.v1', name: 'chat', group: '' });
        expect(p.data.tags.url, metric).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/room\?vu=[1-3]$/);
      }
    }
    expect(new Set(byMetric('ws_sessions').map((p) => p.data.tags.url)).size).toBe(3);
  }, 60_000);

  it('holds a session with a heartbeat (socket timers on the VU thread), then fails a receive by its check', async () => {
    const before = await echo!.received();
    const r = await buildAndRun('hold', holdSpec(echo!.url, '350ms'));
    const m = r.summary.metrics;
    const beats = m.ws_msgs_sent!.values.count!;
    // A beat every 100 ms for 1.35 s: 13 at most; timers may run late on a busy runner, never early. (The receive's
    // timeout ends 50 ms after the 13th beat, so its echo is in before the close, whatever order k6 would pick for two
    // timers due at once.)
    expect(beats).toBeGreaterThanOrEqual(5);
    expect(beats).toBeLessThanOrEqual(13);
    expect(m.ws_msgs_received!.values.count).toBe(beats);
    expect((await echo!.received()) - before).toBe(beats);
    expect(m.checks!.values.passes).toBe(0);
    expect(m.checks!.values.fails).toBe(1);
    expect(m.ws_session_duration!.values.min).toBeGreaterThanOrEqual(1350);
  }, 60_000);

  it('a 403 and a refused handshake: status 403 / 0 without an exception, sessions counted with their status, the run goes on', async () => {
    const r = await buildAndRun('fail', {
      schema: 'caplab.scenario/v1', name: 'ws-fail',
      options: { scenarios: { f: { executor: 'per-vu-iterations', vus: 1, iterations: 2, maxDuration: '30s' } } },
      flows: { default: { steps: [
        { name: 'rejected', url: `ws://127.0.0.1:${rejectingPort}/`, ws: { actions: [{ send: 'x' }] }, checks: { status: 403 } },
        { name: 'refused', url: 'ws://127.0.0.1:1/', ws: { actions: [{ send: 'x' }] }, checks: { status: 0 } },
      ] } },
    });
    expect(r.stderr).not.toMatch(/level=error/);
    const m = r.summary.metrics;
    expect(m.iterations!.values.count).toBe(2);
    expect(m.ws_sessions!.values.count).toBe(4);
    expect(m.ws_msgs_sent).toBeUndefined();
    // The status checks pass: res.status was exactly 403, then exactly 0.
    expect(m.checks!.values.passes).toBe(4);
    expect(m.checks!.values.fails).toBe(0);
    const sessions = r.points.filter((p) => p.metric === 'ws_sessions');
    expect(sessions.map((p) => p.data.tags.status ?? 'none').sort()).toEqual(['403', '403', 'none', 'none']);
    expect(sessions.find((p) => p.data.tags.status === '403')!.data.tags.subproto).toBe('');
    expect(sessions.find((p) => p.data.tags.status === undefined)!.data.tags.subproto).toBeUndefined();
    expect(r.points.filter((p) => p.metric === 'ws_session_duration')).toHaveLength(4);
  }, 60_000);
});

/** A k6 script using k6/ws directly; prints what it saw as one `RESULT <json>` line. */
const API_SCRIPT = `import ws from 'k6/ws';

export const options = { scenarios: { api: { executor: 'per-vu-iterations', vus: 1, iterations: 1 } } };

export default function () {
  const out = {};
  const echo = __ENV.ECHO;

  // A session: callback, then 'open'; text, binary and ping; close() without a code once everything came back; a
  // send from the 'close' handler fires 'error' (and still counts in ws_msgs_sent).
  const log = [];
  let zero = '';
  const res = ws.connect(echo + 'probe?x=1', { headers: { 'Sec-WebSocket-Protocol': 'chat.v1', 'X-Caplab': 'k6' }, tags: { name: 'probe', n: 5 } }, (socket) => {
    log.push('callback');
    try { socket.setTimeout(() => {}, 0); } catch (e) { zero = e.message; }
    let back = 0;
    const done = () => { if (++back === 3) socket.close(); };
    socket.on('open', () => {
      log.push('open');
      socket.send('text');
      socket.sendBinary(new Uint8Array([1, 2, 3]).buffer);
      socket.ping();
    });
    socket.on('message', (m) => { log.push('message:' + m); done(); });
    socket.on('binaryMessage', (b) => { log.push('binary:' + new Uint8Array(b).join(',')); done(); });
    socket.on('pong', () => { log.push('pong'); done(); });
    socket.on('error', (e) => log.push('error:' + e.error()));
    socket.on('close', (code) => { log.push('close:' + code); socket.send('late'); });
  });
  out.ok = { status: res.status, url: res.url, body: res.body, error: res.error, subproto: res.headers['Sec-Websocket-Protocol'], log, zero };

  let ran = false;
  const cb = () => { ran = true; };
  const refused = ws.connect('ws://127.0.0.1:1/', {}, cb);
  out.refused = { status: refused.status, url: refused.url, error: refused.error, ran };
  const rejected = ws.connect(__ENV.REJECT, cb);
  out.rejected = { status: rejected.status, url: rejected.url, error: rejected.error, body: rejected.body, why: rejected.headers['X-Why'], ran };
  const bad = ws.connect('http://127.0.0.1:1/', null, cb);
  out.bad = { status: bad.status, error: bad.error, ran };
  const own = ws.connect(echo, { headers: { upgrade: 'x' } }, cb);
  out.own = { status: own.status, error: own.error, ran };

  // A session the script never closes: the stand-in's cap (CAPLAB_K6_STANDIN_WS_MAX_MS) closes it with 1001.
  const t0 = Date.now();
  let capped = -1;
  const held = ws.connect(echo, {}, (socket) => { socket.on('close', (code) => { capped = code; }); });
  out.capped = { status: held.status, code: capped, ms: Date.now() - t0 };

  // An exception in a handler closes the socket (1001, 'close' handlers called) and comes out of connect().
  let closedWith = -1;
  try {
    ws.connect(echo, {}, (socket) => {
      socket.on('open', () => { throw new Error('boom'); });
      socket.on('close', (code) => { closedWith = code; });
    });
    out.thrown = 'nothing';
  } catch (e) {
    out.thrown = String(e.message) + ' / close:' + closedWith;
  }
  console.log('RESULT ' + JSON.stringify(out));
}
`;

describe('the k6/ws API as a hand-written script uses it', () => {
  it('returns k6\'s Response, runs handlers in k6\'s order, closes with 1001 by default and at the session cap', async () => {
    const path = join(dir, 'api');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path, { recursive: true });
    writeFileSync(join(path, 'api.js'), API_SCRIPT);
    const r = await k6(['run', '--quiet', '--out', 'json=points.ndjson', '-e', `ECHO=${echo!.url}`, '-e', `REJECT=ws://127.0.0.1:${rejectingPort}/`, 'api.js'], path,
      { CAPLAB_K6_STANDIN_WS_MAX_MS: '700' });
    expect(r.code, r.stderr).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line, r.stdout + r.stderr).toBeDefined();
    const out = JSON.parse(line!.slice('RESULT '.length)) as Record<string, Record<string, unknown> & { log?: string[] }>;

    expect(out.ok).toMatchObject({ status: 101, url: `${echo!.url}probe?x=1`, body: '', error: '', subproto: 'chat.v1', zero: 'setTimeout requires a >0 timeout parameter, received 0.00' });
    const log = out.ok!.log!;
    expect(log.slice(0, 2)).toEqual(['callback', 'open']);
    expect(log.slice(2, 5).sort()).toEqual(['binary:1,2,3', 'message:text', 'pong']);
    expect(log.slice(5)).toEqual(['close:1001', 'error:websocket: close sent']);

    expect(out.refused).toEqual({ status: 0, url: '', error: 'dial tcp 127.0.0.1:1: connect: connection refused', ran: false });
    expect(out.rejected).toEqual({ status: 403, url: '', error: '', body: 'no', why: 'closed', ran: false });
    expect(out.bad).toEqual({ status: 0, error: 'malformed ws or wss URL', ran: false });
    expect(out.own).toEqual({ status: 0, error: 'websocket: duplicate header not allowed: Upgrade', ran: false });
    expect(out.capped!.status).toBe(101);
    expect(out.capped!.code).toBe(1001);
    expect(out.capped!.ms as number).toBeGreaterThanOrEqual(700);
    expect(out.capped!.ms as number).toBeLessThan(10_000);
    expect(out.thrown).toBe('boom / close:1001');
    expect(r.stderr).not.toMatch(/level=error/);

    const points = pointsOf(join(path, 'points.ndjson'));
    const count = (metric: string): number => points.filter((p) => p.metric === metric).length;
    // 7 connects, each counted, whether it opened or not.
    expect(count('ws_sessions')).toBe(7);
    expect(count('ws_connecting')).toBe(7);
    expect(count('ws_session_duration')).toBe(7);
    // text + binary + the send after close; their two echoes; the one ping's pong.
    expect(count('ws_msgs_sent')).toBe(3);
    expect(count('ws_msgs_received')).toBe(2);
    expect(count('ws_ping')).toBe(1);
    const probe = points.find((p) => p.metric === 'ws_sessions' && p.data.tags.name === 'probe')!;
    expect(probe.data.tags).toEqual({ scenario: 'api', group: '', name: 'probe', n: '5', url: `${echo!.url}probe?x=1`, status: '101', subproto: 'chat.v1' });
    const statuses = points.filter((p) => p.metric === 'ws_sessions').map((p) => p.data.tags.status ?? 'none');
    expect(statuses).toEqual(['101', 'none', '403', 'none', 'none', '101', '101']);
    // The capped session lasted at least the cap.
    const durations = points.filter((p) => p.metric === 'ws_session_duration').map((p) => p.data.value);
    expect(durations[5]).toBeGreaterThanOrEqual(700);
  }, 60_000);
});
