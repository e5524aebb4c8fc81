/**
 * The emulated node follows the USL: one node with known sigma, kappa and W is loaded in a closed loop (no WAN, no
 * think time) at rising concurrency, and its throughput is compared with the model and with a least-squares fit.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStackData, type StackData } from '../../stacks/config.ts';
import { uslFactor } from '../../stacks/node.ts';
import { startTestStacks, type TestStacks } from './helpers.ts';

/** data/ with the OTA route's service time replaced (the test's known S). */
function withOtaTime(meanMs: number, cv: number): StackData {
  const data = loadStackData();
  return { ...data, services: { ...data.services, routes: { ...data.services.routes, ota_check: { meanMs, cv } } } };
}

const OTA = '/v1/ota/check?model=Mi%204&version=MIUI%206';

/** The node's own counters from /metrics (served requests, modeled and late seconds of its waits), timestamped. */
async function nodeCounters(base: string): Promise<{ at: number; served: number; modeled: number; late: number }> {
  const sent = performance.now();
  const text = await (await fetch(`${base}/metrics`)).text();
  const at = (sent + performance.now()) / 2;
  const read = (name: string): number => Number(new RegExp(`^${name}\\{[^}]*node="0"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { at, served: read('caplab_node_served_total'), modeled: read('caplab_node_modeled_seconds_total'), late: read('caplab_node_lateness_seconds_total') };
}

/**
 * Least-squares USL fit on y = N / X(N) = a + b (N - 1) + c N (N - 1), with a = 1/lambda, b = sigma/lambda,
 * c = kappa/lambda (Gunther's linear form), solved by the normal equations.
 */
function fitUsl(points: Array<{ n: number; x: number }>): { lambda: number; sigma: number; kappa: number } {
  const rows = points.map(({ n, x }) => ({ f: [1, n - 1, n * (n - 1)], y: n / x }));
  const A = [0, 1, 2].map((i) => [0, 1, 2].map((j) => rows.reduce((s, r) => s + r.f[i]! * r.f[j]!, 0)));
  const B = [0, 1, 2].map((i) => rows.reduce((s, r) => s + r.f[i]! * r.y, 0));
  // Gaussian elimination on the 3x3 system.
  for (let k = 0; k < 3; k++) {
    for (let i = k + 1; i < 3; i++) {
      const m = A[i]![k]! / A[k]![k]!;
      for (let j = k; j < 3; j++) A[i]![j]! -= m * A[k]![j]!;
      B[i]! -= m * B[k]!;
    }
  }
  const c = [0, 0, 0];
  for (let i = 2; i >= 0; i--) c[i] = (B[i]! - [0, 1, 2].slice(i + 1).reduce((s, j) => s + A[i]![j]! * c[j]!, 0)) / A[i]![i]!;
  const lambda = 1 / c[0]!;
  return { lambda, sigma: c[1]! * lambda, kappa: c[2]! * lambda };
}

describe('USL shape', () => {
  let stacks: TestStacks | undefined;
  afterAll(() => stacks?.close());

  it('a closed loop at rising concurrency follows the USL of the node\'s sigma, kappa and W', async () => {
    // Known node: S = 60 ms (cv 0.1: draws vary, but their mean over a window stays within ~1%), sigma 0.05, kappa 0.002 -> N* = sqrt(0.95 / 0.002) = 21.8; W = 64 so no step queues.
    const S = 0.06;
    const sigma = 0.05;
    const kappa = 0.002;
    const usl = (n: number): number => n / (S * uslFactor(n, sigma, kappa));
    stacks = await startTestStacks({ dcs: ['us-west-2'], serviceTimeScale: 1, seed: 11, data: withOtaTime(S * 1000, 0.1), node: { workers: 64, sigma, kappa, queue: 64 } });
    const base = stacks.urls['us-west-2']!;
    const steps = [1, 2, 4, 8, 16, 24, 32, 48];
    interface Step { n: number; x: number; nodeN: number; nodeX: number; lagMs: number; late: number; attempts: number }
    const points: Step[] = [];
    for (const n of steps) {
      // Warm-up: the first wave starts together and sees n = 1..N, so phases settle only after a few cycles
      // (2.5 cycles of S * stretch, e.g. 1.2 s at N = 48). Low concurrency completes few requests per second: a
      // longer window keeps the counting error near 3%; so does measuring at least 4 cycles at high concurrency.
      const WARMUP_MS = Math.max(300, 2.5 * S * 1000 * uslFactor(n, sigma, kappa));
      const STEP_MS = WARMUP_MS + (n <= 2 ? 2700 : Math.max(1200, 4 * S * 1000 * uslFactor(n, sigma, kappa)));
      // Two views of each step. The clients count their completions (end to end: includes this process's own HTTP
      // work, which a CPU-starved host stretches). The node's counters give its throughput and its actual mean
      // concurrency (busy time / window, Little's law) independently of the client: that is the USL's N, and it
      // holds however the host treats the client. A step whose node waits overran by more than 3%, or whose
      // event-loop delay p99 exceeds 15 ms (this shared machine idles at 5-10 ms), is run again, at most 3
      // times, and the least disturbed attempt is kept.
      let best: Omit<Step, 'n' | 'attempts'> | undefined;
      let attempts = 0;
      while (attempts < 3 && (best === undefined || best.lagMs > 15 || best.late > 0.03)) {
        attempts++;
        const lag = monitorEventLoopDelay({ resolution: 2 });
        lag.enable();
        const t0 = performance.now();
        const done: number[] = [];
        const clients = Promise.all(Array.from({ length: n }, async () => {
          while (performance.now() - t0 < STEP_MS) {
            const res = await fetch(`${base}${OTA}`);
            await res.arrayBuffer();
            expect(res.status).toBe(200);
            done.push(performance.now() - t0);
          }
        }));
        await new Promise((r) => setTimeout(r, WARMUP_MS));
        const c0 = await nodeCounters(base);
        await new Promise((r) => setTimeout(r, STEP_MS - WARMUP_MS - (performance.now() - t0 - WARMUP_MS)));
        const c1 = await nodeCounters(base);
        await clients;
        lag.disable();
        const seconds = (c1.at - c0.at) / 1000;
        const busy = c1.modeled + c1.late - c0.modeled - c0.late;
        const attempt = {
          x: done.filter((t) => t >= WARMUP_MS && t < STEP_MS).length / ((STEP_MS - WARMUP_MS) / 1000),
          nodeN: busy / seconds,
          nodeX: (c1.served - c0.served) / seconds,
          lagMs: lag.percentile(99) / 1e6,
          late: (c1.late - c0.late) / (c1.modeled - c0.modeled),
        };
        if (best === undefined || attempt.late + attempt.lagMs / 1000 < best.late + best.lagMs / 1000) best = attempt;
      }
      points.push({ n, attempts, ...best! });
    }
    const pct = (a: number, b: number): string => `${((a / b - 1) * 100).toFixed(1)}%`;
    const report = points.map((p) => `clients ${p.n}: closed loop ${p.x.toFixed(1)}/s (USL(${p.n}) ${usl(p.n).toFixed(1)}/s, ${pct(p.x, usl(p.n))}); ` +
      `node: N ${p.nodeN.toFixed(2)}, X ${p.nodeX.toFixed(1)}/s (USL ${usl(p.nodeN).toFixed(1)}/s, ${pct(p.nodeX, usl(p.nodeN))}); ` +
      `waits late by ${(p.late * 100).toFixed(1)}%, loop lag p99 ${p.lagMs.toFixed(1)} ms, ${p.attempts} attempt${p.attempts > 1 ? 's' : ''}`).join('\n');
    // Tolerances. At the node: every step within 10% of USL at its measured concurrency (timer granularity ~1 ms
    // on a 60 ms service time, the service-time draws' own noise of about 1% per window, host lateness <= 3% by the
    // retry rule). End to end: every step within 25% of USL at the client count (adds this process's HTTP client
    // and server work, stretched by whatever else runs on the 2 shared cores).
    for (const p of points) {
      expect(Math.abs(p.nodeX / usl(p.nodeN) - 1), report).toBeLessThan(0.1);
      expect(Math.abs(p.x / usl(p.n) - 1), report).toBeLessThan(0.25);
    }
    // The shape: throughput peaks in the middle and falls past N* (retrograde), as kappa > 0 demands.
    const peak = points.reduce((a, b) => (b.nodeX > a.nodeX ? b : a));
    expect([16, 24, 32], report).toContain(peak.n);
    expect(points.at(-1)!.nodeX, report).toBeLessThan(peak.nodeX * 0.9);
    // A least-squares USL fit on the node's (N, X) recovers the parameters: sigma within 0.03, kappa within 50%,
    // N* within 25%, lambda within 15%.
    const fit = fitUsl(points.map((p) => ({ n: p.nodeN, x: p.nodeX })));
    const nStar = Math.sqrt((1 - fit.sigma) / fit.kappa);
    const fitText = `${report}\nfit: lambda ${fit.lambda.toFixed(2)}/s sigma ${fit.sigma.toFixed(4)} kappa ${fit.kappa.toFixed(5)} N* ${nStar.toFixed(1)}`;
    expect(Math.abs(fit.sigma - sigma), fitText).toBeLessThan(0.03);
    expect(Math.abs(fit.kappa / kappa - 1), fitText).toBeLessThan(0.5);
    expect(Math.abs(nStar / Math.sqrt((1 - sigma) / kappa) - 1), fitText).toBeLessThan(0.25);
    expect(Math.abs(fit.lambda * S - 1), fitText).toBeLessThan(0.15);
    console.log(fitText);
  }, 150_000); // up to 3 attempts of ~17 s of steps on a busy machine
});
