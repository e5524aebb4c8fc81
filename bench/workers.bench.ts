/**
 * `caplab run --workers` benchmark (issue 16): closed-model requests/s of `caplab run --workers 2` against
 * `--workers 1`, the same spec (constant-vus, one connection per VU) against a raw-socket responder, so that the
 * client is the bottleneck and the ratio measures how well the workers use the second core. Goal >= 1.6x on a 2-core
 * machine. Both run the whole command (worker start-up excluded, as k6 excludes VU init: requests/s is http_reqs
 * over the summary's testRunDurationMs), alternating for BENCH_ROUNDS rounds; the median of the per-round ratios is
 * the figure.
 *
 * The target is not pinned: on 2 cores it shares them with the workers, so the ceiling is not 2x. With c CPU-us per
 * request in the client (one busy core at --workers 1: c = 1e6 / rps) and t in the target, two workers on two cores
 * reach at most 2 / (c + t) requests per us, a ratio of 2c / (c + t); each round prints t and that ceiling. The
 * responder is the C one (bench/raw-responder.c) when a compiler is there, as it costs only its system calls.
 * Env: BENCH_CONNECTIONS (default 50), BENCH_SECONDS (default 8), BENCH_ROUNDS (default 3).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from 'simple-statistics';
import { procCpuSeconds } from './proc-cpu.ts';
import { rawServerSource } from './targets.ts';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BIN = fileURLToPath(new URL('../bin/caplab.js', import.meta.url));

/** A contacts-sync answer with `n` contacts (about 120 bytes each): what a realistic step parses and extracts from. */
function contactsBody(n: number): string {
  return JSON.stringify({
    version: 'v-1842',
    items: Array.from({ length: n }, (_, i) => ({ id: `c${i}`, name: `Contact ${i}`, phone: `+65 6${String(1000000 + i * 7919).slice(1)}`, updated: 1700000000 + i })),
  });
}

/** A realistic step: templated URL and header, a status check, JSONPath extracts (the engine parses the body). */
const SYNC_STEP = {
  name: 'contacts_sync', path: '/v1/contacts?vu={{vu}}&it={{iteration}}', headers: { Authorization: 'Bearer t-{{vu}}' },
  checks: { status: 200 }, extract: { version: '$.version', first: '$.items[0].id' },
};

interface Case {
  label: string;
  body: string;
  step: Record<string, unknown>;
}

// From target-bound to client-bound: the more the client does per request, the less the shared target limits the
// ratio (its ceiling 2c/(c+t) is printed per round).
const CASES: Case[] = [
  { label: 'one bare GET per iteration, 11-byte answer', body: '{"ok":true}', step: { name: 'root', path: '/' } },
  { label: 'a contacts sync of 24 contacts (3 KB answer): templated URL and header, status check, JSONPath extracts', body: contactsBody(24), step: SYNC_STEP },
  { label: 'a contacts sync of 300 contacts (23 KB answer), the same step', body: contactsBody(300), step: SYNC_STEP },
];

const dir = mkdtempSync(join(tmpdir(), 'caplab-bench-workers-'));

/**
 * The target: the raw responder in C (bench/raw-responder.c, compiled here with the system's cc) when a compiler is
 * there, as it costs a few CPU-us per request, else the Node one (bench/targets.ts), which costs about what a client
 * does and so holds the ratio down on a 2-core machine (see the ceiling printed per round).
 */
let responderBinary: string | undefined | null = null;
function compiledResponder(): string | undefined {
  if (responderBinary !== null) return responderBinary;
  const bin = join(dir, 'raw-responder');
  const r = spawnSync('cc', ['-O2', '-o', bin, fileURLToPath(new URL('./raw-responder.c', import.meta.url))], { stdio: ['ignore', 'ignore', 'pipe'] });
  responderBinary = r.status === 0 ? bin : undefined;
  if (responderBinary === undefined) process.stdout.write(`(no C compiler: cc ${r.error ? r.error.message : `exited ${r.status}`}; the Node responder is the target)\n`);
  return responderBinary;
}

async function compare(c: Case): Promise<void> {
  const bin = compiledResponder();
  const bodyFile = join(dir, 'body.json');
  writeFileSync(bodyFile, c.body);
  const server = bin
    ? spawn(bin, [bodyFile], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(process.execPath, ['--input-type=module', '-e', rawServerSource(c.body)], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve) => server.stdout!.once('data', (b: Buffer) => resolve(Number(b.toString().trim()))));
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify({
      schema: 'caplab.scenario/v1', name: 'bench-workers', baseUrl: `http://127.0.0.1:${port}`,
      options: { scenarios: { s: { executor: 'constant-vus', vus: CONNECTIONS, duration: `${SECONDS}s`, gracefulStop: '1s' } } },
      flows: { default: { steps: [c.step] } },
    }));
    const rps = (workers: number): { rps: number; targetUs: number } => {
      const out = join(dir, `summary-${workers}.json`);
      const cpu0 = procCpuSeconds(server.pid!);
      const r = spawnSync(process.execPath, [BIN, '--quiet', 'run', spec, '--workers', String(workers), '--summary-json', out], { stdio: ['ignore', 'ignore', 'inherit'] });
      if (r.status !== 0) throw new Error(`caplab run --workers ${workers} exited ${r.status ?? r.signal}`);
      const s = JSON.parse(readFileSync(out, 'utf8')) as { state: { testRunDurationMs: number }; metrics: { http_reqs: { values: { count: number } } } };
      const n = s.metrics.http_reqs.values.count;
      return { rps: n / (s.state.testRunDurationMs / 1000), targetUs: ((procCpuSeconds(server.pid!) - cpu0) * 1e6) / n };
    };
    process.stdout.write(`closed model, ${c.label}; raw-socket responder in ${bin ? 'C' : 'Node'}; ${CONNECTIONS} VUs, ${SECONDS}s per run, ${availableParallelism()} cores\n`);
    rps(1); // warm-up: the target's JIT and the machine's caches
    const ratios: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const one = rps(1);
      const two = rps(2);
      ratios.push(two.rps / one.rps);
      const cUs = 1e6 / one.rps;
      process.stdout.write(`  round ${round}: --workers 1 ${one.rps.toFixed(0)} req/s (target ${one.targetUs.toFixed(1)} CPU-us/req) | ` +
        `--workers 2 ${two.rps.toFixed(0)} req/s (target ${two.targetUs.toFixed(1)} CPU-us/req) | ratio ${(two.rps / one.rps).toFixed(2)}x ` +
        `(ceiling with the target on the same cores 2c/(c+t) = ${((2 * cUs) / (cUs + two.targetUs)).toFixed(2)}x)\n`);
    }
    const m = median(ratios);
    process.stdout.write(`  median of ${ROUNDS} rounds: rps --workers 2 / --workers 1 = ${m.toFixed(2)}x (goal >= 1.6x) ${m >= 1.6 ? 'OK' : 'MISSED'}\n`);
  } finally {
    server.kill();
  }
}

try {
  for (const c of CASES) await compare(c);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
