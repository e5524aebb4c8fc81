/**
 * VU memory benchmark: bytes each engine VU costs, for the per-VU figure in data/defaults.json `run.vuMemory` that
 * `caplab run` uses to refuse VU counts that cannot fit (exit 104). Two figures, each from the growth of the
 * process (heap used + external + array buffers, after a full GC, and RSS) over N VUs:
 * - idle: VUs created by the pool, each with its generated user record (what `pool.create` allocates up front);
 * - connected: the same VUs after one request each, holding their keep-alive connection (socket, parser, read
 *   state), to a raw server in a child process so its memory is not counted.
 * Run with `npm run bench -- vu-memory` (it needs --expose-gc, which it adds by re-running itself).
 */
import { spawn } from 'node:child_process';
import { createExecutionTuple } from '../scenarios/engine/segments.ts';
import { VuPool, type Vu } from '../scenarios/engine/vu.ts';
import { createUserGenerator } from '../models/population/user.ts';
import { computePopulation } from '../cli/chain.ts';
import { ensureExposedGc, usedMemory } from './gc-memory.ts';

const N_IDLE = Number(process.env.BENCH_VUS ?? 100_000);
const N_CONNECTED = Number(process.env.BENCH_CONNECTED_VUS ?? 5_000);

ensureExposedGc(import.meta.url);

/** A raw keep-alive responder in its own process; resolves with its port. */
async function responder(): Promise<{ port: number; kill(): void }> {
  const code = `const net=require('node:net');const s=net.createServer(c=>{c.on('error',()=>{});c.on('data',()=>c.write('HTTP/1.1 200 OK\\r\\ncontent-length: 2\\r\\n\\r\\nok'))});s.listen(0,'127.0.0.1',()=>console.log(s.address().port));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout.once('data', (b: Buffer) => resolve(Number(String(b).trim()))));
  return { port, kill: () => child.kill() };
}

const gen = createUserGenerator(1, await computePopulation({}, 1));
const users = { count: 1_000_000, get: (i: number) => gen.user(i) as unknown as Record<string, unknown> };

const base = usedMemory();
const pool = new VuPool(createExecutionTuple(), users);
await pool.create(N_IDLE);
const idle = usedMemory();
const idlePerVu = { js: (idle.js - base.js) / N_IDLE, rss: (idle.rss - base.rss) / N_IDLE };
console.log(`idle VUs:      ${N_IDLE} VUs, ${Math.round(idlePerVu.js)} B/VU on the JS heap (+external), ${Math.round(idlePerVu.rss)} B/VU RSS`);

const server = await responder();
const vus: Vu[] = [];
for (let i = 0; i < N_CONNECTED; i++) vus.push(pool.acquire());
const before = usedMemory();
const origin = `http://127.0.0.1:${server.port}`;
for (let i = 0; i < N_CONNECTED; i += 500) {
  await Promise.all(vus.slice(i, i + 500).map(async (vu) => {
    const r = await vu.http.request({ origin, path: '/', method: 'GET', headers: [], timeoutMs: 10_000, keepBody: false });
    if (r.status !== 200) throw new Error(`request failed: ${r.error}`);
  }));
}
const after = usedMemory();
const connPerVu = { js: (after.js - before.js) / N_CONNECTED, rss: (after.rss - before.rss) / N_CONNECTED };
console.log(`a connection:  ${N_CONNECTED} VUs, ${Math.round(connPerVu.js)} B/VU on the JS heap (+external), ${Math.round(connPerVu.rss)} B/VU RSS`);
console.log(`connected VU:  ${Math.round(idlePerVu.js + connPerVu.js)} B JS, ${Math.round(Math.max(idlePerVu.js, idlePerVu.rss) + Math.max(connPerVu.js, connPerVu.rss))} B taking the larger of JS and RSS per part`);
await pool.close();
server.kill();
