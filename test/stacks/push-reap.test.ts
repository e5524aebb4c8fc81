/**
 * Departed devices: a session whose device sends nothing for two heartbeat intervals is dropped and its slot freed,
 * while a session that heartbeats stays. The node's interval is set to 1 s here (data/hardware.json's is 270 s), so a
 * silent session goes after 2 s; the heartbeating one beats every 100 ms, twenty times inside the reaping window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register, startTestStacks, type TestStacks } from './helpers.ts';
import { metric, mustOpen } from './push-helpers.ts';

let stacks: TestStacks;
let sg: string;

beforeAll(async () => {
  // One slot: the reaped session's slot must be free for the next device.
  stacks = await startTestStacks({ dcs: ['singapore'], push: { costScale: 0, node: { heartbeatIntervalS: 1, maxConnections: 2 } } });
  sg = stacks.urls.singapore!;
});
afterAll(() => stacks.close());

describe('push sessions that miss their heartbeats', () => {
  it('are dropped after two silent intervals, freeing their slot; a heartbeating session stays', async () => {
    const silentToken = await register(sg, 'u-reap-silent');
    // Taken before the handshake starts, so the server's clock for the session starts after it.
    const t0 = performance.now();
    const silent = await mustOpen(sg, silentToken);
    const alive = await mustOpen(sg, await register(sg, 'u-reap-alive'));
    const beat = setInterval(() => alive.ws.ping(), 100);
    const code = await new Promise<number>((resolve) => silent.ws.once('close', (c) => resolve(c)));
    // Dropped without a close frame (1006 at the client), not before two intervals of silence.
    expect(code).toBe(1006);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(2000 - 2);
    expect(await metric(sg, 'caplab_push_sessions_reaped_total{dc="singapore",node="0"}')).toBe(1);
    // The freed slot takes a new device while the other session is still open.
    const next = await mustOpen(sg, await register(sg, 'u-reap-next'));
    expect(alive.ws.readyState).toBe(alive.ws.OPEN);
    clearInterval(beat);
    alive.ws.terminate();
    next.ws.terminate();
  }, 20_000);
});
