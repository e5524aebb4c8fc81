/**
 * Held WebSocket sessions per worker and memory per held session: N sessions opened by the engine's session runner
 * (scenarios/engine/ws-session.ts: a `hold` action, a ping heartbeat, k6's measurements through no-op events) against
 * an echo server in a child process (its memory not counted), beside the peer: the same N sockets opened with the
 * bare `ws` client and nothing else. Memory is the process's growth (JS heap + external + array buffers after a full
 * GC, and RSS) over N held sessions. Run with `npm run bench -- ws-sessions` (it adds --expose-gc by re-running itself).
 */
import { spawn } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { runWsSession } from '../scenarios/engine/ws-session.ts';
import { ensureExposedGc, usedMemory } from './gc-memory.ts';

const N = Number(process.env.BENCH_WS_SESSIONS ?? 5_000);
const HOLD_MS = 60_000;

ensureExposedGc(import.meta.url);

/** A `ws` echo server in its own process; resolves with its port. */
async function echoServer(): Promise<{ port: number; kill(): void }> {
  const code = `const { WebSocketServer } = require('ws'); const s = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
s.on('connection', (c) => { c.on('error', () => {}); c.on('message', (m, b) => c.send(m, { binary: b })); });
s.on('listening', () => console.log(s.address().port));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'], cwd: fileURLToPath(new URL('..', import.meta.url)) });
  const port = await new Promise<number>((resolve) => child.stdout.once('data', (b: Buffer) => resolve(Number(String(b).trim()))));
  return { port, kill: () => child.kill() };
}

const server = await echoServer();
const url = `ws://127.0.0.1:${server.port}/`;

// Peer: bare ws clients, opened in batches, held.
let before = usedMemory();
let t0 = performance.now();
const bare: WebSocket[] = [];
for (let i = 0; i < N; i += 250) {
  await Promise.all(Array.from({ length: Math.min(250, N - i) }, () => new Promise<void>((resolve, reject) => {
    const w = new WebSocket(url, { perMessageDeflate: false });
    w.once('open', () => resolve());
    w.once('error', reject);
    bare.push(w);
  })));
}
const bareOpenS = (performance.now() - t0) / 1000;
let after = usedMemory();
const barePer = { js: (after.js - before.js) / N, rss: (after.rss - before.rss) / N };
await Promise.all(bare.map((w) => new Promise<void>((r) => { w.once('close', () => r()); w.close(); })));

// caplab: the engine's session runner holding each session, a ping every 25 s.
before = usedMemory();
t0 = performance.now();
const abort = new AbortController();
setMaxListeners(0, abort.signal); // one signal aborts every session here; the engine gives each its own
let opened = 0;
let resolveAll: () => void = () => {};
const allOpen = new Promise<void>((r) => { resolveAll = r; });
const noop = (): void => {};
const sessions: Promise<unknown>[] = [];
for (let i = 0; i < N; i += 250) {
  const batch = Math.min(250, N - i);
  const target = opened + batch;
  for (let k = 0; k < batch; k++) {
    sessions.push(runWsSession({ url, headers: [], timeoutMs: 10_000, actions: [{ kind: 'hold', ms: HOLD_MS }], heartbeat: { everyMs: 25_000 } }, {
      opened(status) { if (status === 101 && ++opened === N) resolveAll(); },
      sent: noop, received: noop, pong: noop, awaited: noop,
    }, abort.signal));
  }
  while (opened < target) await new Promise((r) => setTimeout(r, 5));
}
await allOpen;
const caplabOpenS = (performance.now() - t0) / 1000;
after = usedMemory();
const caplabPer = { js: (after.js - before.js) / N, rss: (after.rss - before.rss) / N };
abort.abort();
await Promise.all(sessions);
server.kill();

const kb = (v: number): string => `${(v / 1024).toFixed(1)} KB`;
console.log(`${N} held sessions in one process (one worker)`);
console.log(`bare ws clients:  opened in ${bareOpenS.toFixed(2)} s (${Math.round(N / bareOpenS)}/s), ${kb(barePer.js)} JS + ${kb(barePer.rss)} RSS per session`);
console.log(`caplab sessions:  opened in ${caplabOpenS.toFixed(2)} s (${Math.round(N / caplabOpenS)}/s), ${kb(caplabPer.js)} JS + ${kb(caplabPer.rss)} RSS per session`);
console.log(`ratio caplab / bare ws: memory (JS) ${(caplabPer.js / barePer.js).toFixed(2)}x, open rate ${((N / caplabOpenS) / (N / bareOpenS)).toFixed(2)}x`);
