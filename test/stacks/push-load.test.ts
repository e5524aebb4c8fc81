/**
 * The push node's capacity model over real sockets: the session limit (refusals with 503 + Retry-After, the gauges),
 * and delivery latency rising M/M/c-like as heartbeat load approaches the modeled cores. Assertions are derived from
 * the model (Erlang C and a seeded M/M/c simulation of the same window), never from this host's absolute speed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { erlangC } from '../../models/capacity/erlang.ts';
import { createRng } from '../../models/random.ts';
import { register, startTestStacks, type TestStacks } from './helpers.ts';
import { closeWs, metric, mustOpen, openPush } from './push-helpers.ts';

const open: TestStacks[] = [];
afterAll(async () => {
  for (const s of open) await s.close();
});

describe('session limit', () => {
  it('refuses the session past the node\'s limit with 503 + Retry-After, and frees the slot when a session closes', async () => {
    const s = await startTestStacks({ dcs: ['singapore'], push: { costScale: 0, node: { maxConnections: 20 } } });
    open.push(s);
    const base = s.urls.singapore!;
    const token = await register(base, 'u-limit');
    const sessions = [];
    for (let i = 0; i < 20; i++) sessions.push(await mustOpen(base, token));
    const refused = await openPush(base, { token });
    expect(refused).toMatchObject({ ok: false, status: 503, body: { error: 'overloaded' } });
    // One heartbeat interval of data/hardware.json (270 s): about when departed devices' slots free up.
    if (!refused.ok) expect(refused.headers['retry-after']).toBe('270');
    const series = (name: string): string => `${name}{dc="singapore",node="0"}`;
    expect(await metric(base, series('caplab_push_sessions'))).toBe(20);
    expect(await metric(base, series('caplab_push_session_limit'))).toBe(20);
    expect(await metric(base, series('caplab_push_memory_bytes'))).toBe(20 * 64 * 1024);
    expect(await metric(base, 'caplab_push_sessions_refused_total{dc="singapore",status="503"}')).toBe(1);
    await closeWs(sessions.pop()!.ws);
    // The server sees the close a moment after the client does.
    for (let i = 0; i < 100 && (await metric(base, series('caplab_push_sessions'))) !== 19; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await metric(base, series('caplab_push_sessions'))).toBe(19);
    sessions.push(await mustOpen(base, token));
    expect(await metric(base, series('caplab_push_sessions'))).toBe(20);
    expect(await metric(base, series('caplab_push_sessions_admitted_total'))).toBe(21);
    for (const x of sessions) await closeWs(x.ws);
    expect(s.errors).toEqual([]);
  });
});

// The latency test's node: c = 2 cores, every heartbeat and delivery 10 ms of CPU on average, exponential-like
// (lognormal, cv 1: the M/G/c with the same mean wait as M/M/c by Allen-Cunneen). Short enough to run the curve in
// seconds, long against timer granularity (~1 ms).
const CORES = 2;
const COST_MS = 10;
// Host slack on one echo: the server's timer (up to 1 ms late), the loopback round trip and event-loop delays of a
// busy 2-core runner.
const SLACK_MS = 4;
const LOW_SAMPLES = 100;
const RHO = 0.9;
const ECHO_PER_S = 25;
const WARMUP_MS = 2000;
const WINDOW_MS = 15_000;

/**
 * P(T > t) of the M/M/c response time: no wait with probability 1 - C, else an Exp(theta) wait (theta = c mu - lambda),
 * plus an Exp(mu) service.
 */
function mmcResponseTail(t: number, c: number, mu: number, lambda: number): number {
  const C = erlangC(lambda / mu, c);
  const theta = c * mu - lambda;
  return (1 - C) * Math.exp(-mu * t) + C * (theta * Math.exp(-mu * t) - mu * Math.exp(-theta * t)) / (theta - mu);
}

/** The median of the M/M/c response time, by bisection on its tail. */
function mmcMedianResponse(c: number, mu: number, lambda: number): number {
  let lo = 0;
  let hi = 100 / (c * mu - lambda);
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (mmcResponseTail(mid, c, mu, lambda) > 0.5) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Sample medians of the echo latency over many seeded replications of the test's window on an M/M/c queue (Poisson
 * arrivals, exponential service, FCFS on c servers), echoes being a Poisson share of the arrivals: how the median of
 * this many correlated samples spreads, which the closed form cannot say.
 */
function simulatedMedians(reps: number, lambdaPerMs: number, echoShare: number): number[] {
  const rng = createRng(20150401, 'test.push-load.mmc');
  const exp = (mean: number): number => -Math.log(rng.next()) * mean;
  const medians: number[] = [];
  for (let r = 0; r < reps; r++) {
    const free = Array.from({ length: CORES }, () => 0);
    const lat: number[] = [];
    for (let t = exp(1 / lambdaPerMs); t < WARMUP_MS + WINDOW_MS; t += exp(1 / lambdaPerMs)) {
      const echo = rng.next() < echoShare;
      let k = 0;
      for (let j = 1; j < CORES; j++) if (free[j]! < free[k]!) k = j;
      const end = Math.max(t, free[k]!) + exp(COST_MS);
      free[k] = end;
      if (echo && t >= WARMUP_MS) lat.push(end - t);
    }
    lat.sort((a, b) => a - b);
    medians.push(lat[Math.floor(lat.length / 2)]!);
  }
  return medians.sort((a, b) => a - b);
}

/** P(X >= k) for X ~ Binomial(n, p). */
function binomialTail(n: number, p: number, k: number): number {
  let term = (1 - p) ** n;
  let sum = k <= 0 ? term : 0;
  for (let i = 1; i <= n; i++) {
    term *= ((n - i + 1) / i) * (p / (1 - p));
    if (i >= k) sum += term;
  }
  return sum;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('delivery latency against the modeled cores', () => {
  it('stays at the modeled cost when idle and rises M/M/c-like when heartbeats load the cores to 90%', async () => {
    const s = await startTestStacks({ dcs: ['singapore'], seed: 3, push: { node: { cores: CORES, heartbeatCpuMs: COST_MS, deliveryCpuMs: COST_MS, costCv: 1, handshakeCpuMs: 0 } } });
    open.push(s);
    const base = s.urls.singapore!;
    const token = await register(base, 'u-curve');
    const probe = await mustOpen(base, token);
    const load = await Promise.all(Array.from({ length: 20 }, () => mustOpen(base, token)));
    const sent = new Map<string, number>();
    const rtts = new Map<string, number>();
    probe.ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; id?: string };
      const t0 = m.id === undefined ? undefined : sent.get(m.id);
      if (m.type === 'echo' && t0 !== undefined) rtts.set(m.id!, performance.now() - t0);
    });
    const echo = (id: string): void => {
      sent.set(id, performance.now());
      probe.ws.send(JSON.stringify({ type: 'echo', id }));
    };

    // Low load: one echo at a time, nothing else on the node, so each waits for no core.
    for (let i = 0; i < LOW_SAMPLES; i++) {
      echo(`low-${i}`);
      while (!rtts.has(`low-${i}`)) await new Promise((r) => setTimeout(r, 1));
    }
    const low = median([...rtts.values()]);
    // The median of 100 lognormal(cv 1) costs lies below their mean unless 50 of 100 draws exceed it, each with
    // probability 1 - Phi(sqrt(ln 2) / 2) = 0.339: the design keeps that chance below 1e-3.
    expect(binomialTail(LOW_SAMPLES, 0.339, LOW_SAMPLES / 2)).toBeLessThan(1e-3);
    expect(low, `low-load median echo ${low.toFixed(2)} ms`).toBeLessThanOrEqual(COST_MS + SLACK_MS);

    // ~90% load: Poisson heartbeats over the 20 sessions (ping frames and text pings alternately) and Poisson echoes,
    // sent on an absolute schedule so a late timer sends a burst, never fewer.
    const lambdaPerMs = (RHO * CORES) / COST_MS;
    const echoShare = ECHO_PER_S / 1000 / lambdaPerMs;
    const rng = createRng(7, 'test.push-load.arrivals');
    const t0 = performance.now();
    const cpu0 = { at: 0, busy: 0 };
    let nextAt = 0;
    let n = 0;
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const now = performance.now() - t0;
        while (nextAt <= now) {
          if (rng.next() < echoShare) echo(`high-${n}-${nextAt.toFixed(3)}`);
          else {
            const ws = load[n % load.length]!.ws;
            if (n % 2 === 0) ws.ping();
            else ws.send('{"type":"ping"}');
          }
          n++;
          nextAt += -Math.log(rng.next()) / lambdaPerMs;
        }
        if (now >= WARMUP_MS + WINDOW_MS) return resolve();
        if (cpu0.at === 0 && now >= WARMUP_MS) {
          cpu0.at = now;
          void metric(base, 'caplab_push_cpu_seconds_total{dc="singapore",node="0"}').then((v) => (cpu0.busy = v));
        }
        setTimeout(tick, Math.max(0, Math.min(nextAt, WARMUP_MS + WINDOW_MS) - now));
      };
      tick();
    });
    const busy1 = await metric(base, 'caplab_push_cpu_seconds_total{dc="singapore",node="0"}');
    const utilization = (busy1 - cpu0.busy) / ((performance.now() - t0 - cpu0.at) / 1000) / CORES;
    await new Promise((r) => setTimeout(r, 1000)); // the queue drains; late echoes still count
    const highSamples = [...rtts.entries()].filter(([id]) => id.startsWith('high-') && Number(id.split('-')[2]) >= WARMUP_MS).map(([, v]) => v);
    const high = median(highSamples);

    // The bound: the 0.1% quantile of the sample median over 2,000 simulated windows of the same M/M/c, over the
    // most the low-load median may be (asserted above). M/M/c's own median response is printed beside it.
    const medians = simulatedMedians(2000, lambdaPerMs, echoShare);
    const q001 = medians[Math.floor(medians.length * 0.001)]!;
    const expected = mmcMedianResponse(CORES, 1 / COST_MS, lambdaPerMs);
    const X = q001 / (COST_MS + SLACK_MS);
    const report = `low ${low.toFixed(2)} ms (n ${LOW_SAMPLES}); at rho ${RHO}: median ${high.toFixed(2)} ms over ${highSamples.length} echoes ` +
      `(M/M/c median ${expected.toFixed(1)} ms, simulated sample medians: 0.1% ${q001.toFixed(1)} ms, 50% ${medians[1000]!.toFixed(1)} ms); ` +
      `ratio ${(high / low).toFixed(2)}, bound X ${X.toFixed(2)}; modeled utilization over the window ${utilization.toFixed(3)}`;
    // The simulation agrees with the closed form (within 10%), so the bound is M/M/c's.
    expect(Math.abs(medians[1000]! / expected - 1), report).toBeLessThan(0.1);
    // The load reached the cores as intended (the modeled CPU's own busy time, not this host's).
    expect(utilization, report).toBeGreaterThan(0.8);
    expect(highSamples.length, report).toBeGreaterThan(0.8 * ECHO_PER_S * (WINDOW_MS / 1000));
    expect(high, report).toBeGreaterThanOrEqual(X * low);
    console.log(report);
    await Promise.all([probe, ...load].map((x) => closeWs(x.ws)));
    expect(s.errors).toEqual([]);
  }, 90_000);
});
