/**
 * The push endpoint over real sockets (`ws` client on 127.0.0.1): handshake (101 with the subprotocol, 401, 451),
 * message delivery to a connected peer, echo, heartbeats as ping frames and as text, bad client messages, plain HTTP
 * on /v1/push, other Upgrade requests served as plain HTTP, and sessions closed by stop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createRng } from '../../models/random.ts';
import type { PushServerMessage } from '../../stacks/api.ts';
import { loadStackData } from '../../stacks/config.ts';
import { startStacks } from '../../stacks/start.ts';
import { call, register, startTestStacks, type TestStacks } from './helpers.ts';
import { closeWs, metric, mustOpen, openPush, waitFor } from './push-helpers.ts';

let stacks: TestStacks;
let sg: string;

beforeAll(async () => {
  // Two nodes, so sessions spread round robin; a costScale of 0.02 keeps the modeled times (40 us handshakes,
  // 2 us heartbeats) in the model without slowing the test.
  stacks = await startTestStacks({ dcs: ['singapore'], nodes: 2, push: { costScale: 0.02 } });
  sg = stacks.urls.singapore!;
});
afterAll(() => stacks.close());

const isMessage = (m: PushServerMessage): boolean => m.type === 'message';

describe('push handshake', () => {
  it('opens with the device token (101) and chooses caplab.push.v1 when offered; ?token= works too', async () => {
    const token = await register(sg, 'u-push-open');
    const a = await mustOpen(sg, token);
    expect(a.protocol).toBe('caplab.push.v1');
    const b = await openPush(sg, { token, query: true, protocols: [] });
    expect(b.ok).toBe(true);
    if (b.ok) {
      expect(b.protocol).toBe('');
      await closeWs(b.ws);
    }
    await closeWs(a.ws);
    expect(stacks.errors).toEqual([]);
  });

  it('refuses a missing or unknown token with a plain HTTP 401 JSON answer', async () => {
    const before = await metric(sg, 'caplab_push_sessions_refused_total{dc="singapore",status="401"}');
    const none = await openPush(sg);
    expect(none).toMatchObject({ ok: false, status: 401, body: { error: 'unauthorized' } });
    if (!none.ok) expect(none.headers['www-authenticate']).toBe('Bearer');
    const bad = await openPush(sg, { token: 'A'.repeat(43) });
    expect(bad).toMatchObject({ ok: false, status: 401, body: { error: 'unauthorized' } });
    const badQuery = await openPush(sg, { token: 'nope', query: true });
    expect(badQuery).toMatchObject({ ok: false, status: 401 });
    expect(await metric(sg, 'caplab_push_sessions_refused_total{dc="singapore",status="401"}')).toBe((Number.isNaN(before) ? 0 : before) + 3);
  });

  it('answers a plain GET /v1/push with 426 and other methods with 405', async () => {
    const plain = await call(sg, 'GET', '/v1/push');
    expect(plain.status).toBe(426);
    expect(plain.headers.get('upgrade')).toBe('websocket');
    expect((await call(sg, 'POST', '/v1/push', { json: {} })).status).toBe(405);
  });
});

describe('push nodes', () => {
  it('assigns sessions to the nodes round robin, skipping a full one, and refuses when all are full', async () => {
    const s = await startTestStacks({ dcs: ['us-west-2'], nodes: 2, push: { costScale: 0, node: { maxConnections: 1 } } });
    try {
      const base = s.urls['us-west-2']!;
      const token = await register(base, 'u-push-rr');
      const a = await mustOpen(base, token);
      const b = await mustOpen(base, token);
      for (const node of ['0', '1']) expect(await metric(base, `caplab_push_sessions{dc="us-west-2",node="${node}"}`)).toBe(1);
      expect(await openPush(base, { token })).toMatchObject({ ok: false, status: 503 });
      await closeWs(a.ws);
      await closeWs(b.ws);
    } finally {
      await s.close();
    }
  });

  it('a DC whose node profile has no push block answers the handshake 404', async () => {
    const data = loadStackData();
    const profiles = Object.fromEntries(Object.entries(data.hardware.profiles).map(([k, { push: _push, ...rest }]) => [k, rest]));
    const s = await startTestStacks({ dcs: ['us-west-2'], data: { ...data, hardware: { ...data.hardware, profiles } } });
    try {
      const base = s.urls['us-west-2']!;
      const token = await register(base, 'u-push-none');
      expect(await openPush(base, { token })).toMatchObject({ ok: false, status: 404, body: { error: 'not_found' } });
      // Messages are stored as before; there is simply nobody to push them to.
      expect((await call(base, 'POST', '/v1/messages', { token, json: { peer: 'u-push-none', body: 'x' } })).status).toBe(201);
    } finally {
      await s.close();
    }
  });
});

describe('push residency', () => {
  const dir = mkdtempSync(join(tmpdir(), 'caplab-push-451-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a user whose country the residency rules now keep elsewhere with 451 and the rule, as the HTTP routes do', async () => {
    // The user is stored while a rule lets CN data live in singapore; the stack restarts on the story's rules.
    const data = loadStackData();
    const anywhere = { ...data, residency: { ...data.residency, rules: [{ name: 'anywhere', countries: '*' as const, dcs: ['beijing', 'singapore', 'us-west-1', 'us-west-2'], source: 'test' }] } };
    const first = await startStacks({ dataDir: dir, dcs: ['singapore'], wan: false, serviceTimeScale: 0, data: anywhere });
    const token = await register(first.urls.singapore!, 'u-push-cn', 'CN');
    await first.stop();
    const second = await startStacks({ dataDir: dir, dcs: ['singapore'], wan: false, serviceTimeScale: 0 });
    try {
      const base = second.urls.singapore!;
      const r = await openPush(base, { token });
      expect(r).toMatchObject({ ok: false, status: 451, body: { error: 'residency_violation', rule: 'cn-data-stays-in-mainland' } });
      const http = await call(base, 'POST', '/v1/messages', { token, json: { peer: 'x', body: 'y' } });
      expect(http.status).toBe(451);
      expect(http.body.rule).toBe('cn-data-stays-in-mainland');
      expect(await metric(base, 'caplab_push_sessions_refused_total{dc="singapore",status="451"}')).toBe(1);
    } finally {
      await second.stop();
    }
  });
});

describe('push delivery', () => {
  it('delivers each message posted to a connected peer exactly once to each of its sessions, in order', async () => {
    const sender = await register(sg, 'u-push-alice');
    const peer = await register(sg, 'u-push-bob');
    const s1 = await mustOpen(sg, peer);
    const s2 = await mustOpen(sg, peer);
    const bystander = await mustOpen(sg, sender);
    const seqs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await call(sg, 'POST', '/v1/messages', { token: sender, json: { peer: 'u-push-bob', body: `hi ${i}`, sentAt: 1_400_000_000_000 + i } });
      expect(r.status).toBe(201);
      seqs.push(r.body.seq as number);
    }
    // Not delivered: an incoming SMS (the peer sent it), and a message to a peer with no session.
    await call(sg, 'POST', '/v1/messages', { token: sender, json: { peer: 'u-push-bob', body: 'from bob', direction: 'in' } });
    await call(sg, 'POST', '/v1/messages', { token: sender, json: { peer: '+65 5550 0000', body: 'sms' } });
    for (const s of [s1, s2]) {
      const got = await waitFor(s.inbox, isMessage, 5);
      expect(got).toEqual(seqs.map((seq, i) => ({ type: 'message', seq, from: 'u-push-alice', body: `hi ${i}`, sentAt: 1_400_000_000_000 + i })));
    }
    // Exact: a further 200 ms brings nothing more.
    await new Promise((r) => setTimeout(r, 200));
    expect(s1.inbox.filter(isMessage)).toHaveLength(5);
    expect(s2.inbox.filter(isMessage)).toHaveLength(5);
    expect(bystander.inbox).toEqual([]);
    for (const s of [s1, s2, bystander]) await closeWs(s.ws);
  });

  it('delivers an echo back to the same session with the server time', async () => {
    const token = await register(sg, 'u-push-echo');
    const s = await mustOpen(sg, token);
    const t0 = Date.now();
    s.ws.send(JSON.stringify({ type: 'echo', id: 'probe-1' }));
    const [echo] = await waitFor(s.inbox, (m) => m.type === 'echo');
    expect(echo).toMatchObject({ type: 'echo', id: 'probe-1' });
    expect((echo as { sentAt: number }).sentAt).toBeGreaterThanOrEqual(t0 - 1000);
    expect((echo as { sentAt: number }).sentAt).toBeLessThanOrEqual(Date.now() + 1000);
    await closeWs(s.ws);
  });

  it('answers heartbeats: a ping frame with a pong frame (same payload), a text ping with a text pong', async () => {
    const token = await register(sg, 'u-push-hb');
    const s = await mustOpen(sg, token);
    const pong = new Promise<string>((resolve) => s.ws.once('pong', (d) => resolve(String(d))));
    s.ws.ping('hb-1');
    expect(await pong).toBe('hb-1');
    s.ws.send(JSON.stringify({ type: 'ping' }));
    await waitFor(s.inbox, (m) => m.type === 'pong');
    await closeWs(s.ws);
    const text = await (await fetch(`${sg}/metrics`)).text();
    const sum = (kind: string): number => [...text.matchAll(new RegExp(`^caplab_push_heartbeats_total\\{[^}]*kind="${kind}"\\} (\\d+)$`, 'gm'))].reduce((a, m) => a + Number(m[1]), 0);
    expect(sum('frame')).toBeGreaterThanOrEqual(1);
    expect(sum('text')).toBeGreaterThanOrEqual(1);
  });

  it('answers a message it does not understand with an error and keeps the session; a binary frame closes it with 1003', async () => {
    const token = await register(sg, 'u-push-bad');
    const s = await mustOpen(sg, token);
    s.ws.send('{"type":"subscribe"}');
    s.ws.send('not json');
    s.ws.send(JSON.stringify({ type: 'echo', id: '' }));
    const errors = await waitFor(s.inbox, (m) => m.type === 'error', 3);
    expect(errors.every((e) => e.type === 'error' && e.error === 'invalid_message')).toBe(true);
    const code = new Promise<number>((resolve) => s.ws.once('close', (c) => resolve(c)));
    s.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await code).toBe(1003);
    expect(stacks.errors).toEqual([]);
  });
});

describe('push fuzz', () => {
  it('answers 500 seeded bad client messages with errors, never closing the session or failing, and bad handshakes with 4xx', async () => {
    const token = await register(sg, 'u-push-fuzz');
    const s = await mustOpen(sg, token);
    const rng = createRng(20141023, 'test.push.fuzz');
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)]!;
    const values = [null, true, 0, -1, 1e308, '', 'x'.repeat(200), [], {}, { type: 'echo' }, { type: 'ping', id: 1 }, { type: 'echo', id: 7 }, { type: 'message' }, { type: ['ping'] }];
    let valid = 0;
    for (let i = 0; i < 500; i++) {
      const kind = rng.next();
      let frame: string;
      if (kind < 0.3) frame = JSON.stringify(pick(values));
      else if (kind < 0.6) frame = JSON.stringify({ type: pick(['echo', 'ping', 'pong', 'ECHO', 'message']), id: pick(values) });
      else frame = Array.from({ length: Math.floor(rng.next() * 40) }, () => String.fromCharCode(Math.floor(rng.next() * 0x3000))).join('');
      try {
        const m = JSON.parse(frame) as { type?: unknown; id?: unknown };
        if (m?.type === 'ping' || (m?.type === 'echo' && typeof m.id === 'string' && m.id.length >= 1 && m.id.length <= 128)) valid++;
      } catch {
        // not JSON: an error answer
      }
      s.ws.send(frame);
    }
    await waitFor(s.inbox, () => true, 500);
    expect(s.inbox.filter((m) => m.type === 'error')).toHaveLength(500 - valid);
    expect(s.ws.readyState).toBe(WebSocket.OPEN);
    await closeWs(s.ws);
    const port = Number(new URL(sg).port);
    const handshake = (lines: string[]): Promise<string> => new Promise((resolve, reject) => {
      const c = connect(port, '127.0.0.1', () => c.write(`${lines.join('\r\n')}\r\n\r\n`));
      let out = '';
      c.on('data', (d) => (out += d.toString('utf8')));
      c.on('close', () => resolve(out.split('\r\n')[0]!));
      c.on('error', reject);
    });
    const ok = ['Host: x', 'Connection: Upgrade', 'Upgrade: websocket', `Authorization: Bearer ${token}`];
    expect(await handshake(['GET /v1/push HTTP/1.1', ...ok, 'Sec-WebSocket-Version: 13'])).toMatch(/^HTTP\/1\.1 400/);
    expect(await handshake(['GET /v1/push HTTP/1.1', ...ok, 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 7'])).toMatch(/^HTTP\/1\.1 400/);
    expect(await handshake(['POST /v1/push HTTP/1.1', ...ok, 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13'])).toMatch(/^HTTP\/1\.1 405/);
    expect(await handshake(['GET /v1/nope HTTP/1.1', ...ok.slice(0, 3), 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13', 'Connection: close'])).toMatch(/^HTTP\/1\.1 404/);
    expect(stacks.errors).toEqual([]);
  });
});

describe('other Upgrade requests', () => {
  it('are served as plain HTTP, body and keep-alive included (e.g. curl --http2 on http://)', async () => {
    const token = await register(sg, 'u-push-h2c');
    const body = JSON.stringify({ peer: 'x', body: 'over h2c' });
    const raw = await new Promise<string>((resolve, reject) => {
      const c = connect(Number(new URL(sg).port), '127.0.0.1', () => {
        c.write(`POST /v1/messages HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n` +
          `Authorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
        c.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      });
      let out = '';
      c.on('data', (d) => (out += d.toString('utf8')));
      c.on('close', () => resolve(out));
      c.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 201 /);
    expect(raw).toContain('"seq":');
    expect(raw).toMatch(/HTTP\/1\.1 200 [\s\S]*"status":"ok"/);
  });
});

describe('stop', () => {
  it('closes open sessions with 1001', async () => {
    const s = await startTestStacks({ dcs: ['us-west-1'] });
    const token = await register(s.urls['us-west-1']!, 'u-push-stop');
    const session = await mustOpen(s.urls['us-west-1']!, token);
    const code = new Promise<number>((resolve) => session.ws.once('close', (c) => resolve(c)));
    await s.close();
    expect(await code).toBe(1001);
  });
});
