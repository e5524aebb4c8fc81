/**
 * The push endpoint with the modeled WAN on (the replay's stacks): the 101 and every frame to the device are held
 * back as HTTP answers are. With the jitter off every draw is the table's median, so the times are known: an Indian
 * device at Singapore (60 ms, data/world.json) waits a round trip for its handshake, its pong and its echo, half of
 * one for a message the server pushes, and frames keep their order (one TCP stream).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackData } from '../../stacks/config.ts';
import { rttMs } from '../../stacks/wan.ts';
import { call, register, startTestStacks, type TestStacks } from './helpers.ts';
import { closeWs, mustOpen, waitFor } from './push-helpers.ts';

const data = loadStackData();
const still = { ...data, rtt: { ...data.rtt, jitter: { ...data.rtt.jitter, sigma: 0 } } };
const RTT = rttMs(data.rtt, 'singapore', 'IN');
let stacks: TestStacks;
let sg: string;

beforeAll(async () => {
  stacks = await startTestStacks({ dcs: ['singapore'], wan: true, data: still, push: { costScale: 0 } });
  sg = stacks.urls.singapore!;
});
afterAll(() => stacks.close());

describe('push frames under the modeled WAN', () => {
  it('holds the handshake, a pong and an echo back a round trip, a pushed message half of one, in order', async () => {
    expect(RTT).toBe(60);
    const token = await register(sg, 'u-wan-in', 'IN');
    let t0 = performance.now();
    const s = await mustOpen(sg, token);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(RTT);

    t0 = performance.now();
    await new Promise<void>((resolve) => { s.ws.once('pong', () => resolve()); s.ws.ping('hb'); });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(RTT);

    // Five echoes sent together come back in the order sent, each at least a round trip after it left.
    t0 = performance.now();
    for (let i = 0; i < 5; i++) s.ws.send(JSON.stringify({ type: 'echo', id: `e${i}` }));
    const echoes = await waitFor(s.inbox, (m) => m.type === 'echo', 5);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(RTT);
    expect(echoes.map((m) => (m as { id: string }).id)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);

    // A message posted by a peer reaches the device half a round trip after the server sends it; the peer's own
    // answer is an HTTP answer held a whole round trip (its country's), so the message arrives before or about when
    // the post returns, never a round trip after the post began.
    const peer = await register(sg, 'u-wan-peer', 'SG');
    t0 = performance.now();
    const posted = await call(sg, 'POST', '/v1/messages', { token: peer, json: { peer: 'u-wan-in', body: 'hi' } });
    expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    await waitFor(s.inbox, (m) => m.type === 'message');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(RTT / 2);
    await closeWs(s.ws);
  });
});
