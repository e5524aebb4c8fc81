/**
 * Merge benchmark (issue 5):
 * 1. merge throughput: `mergeNdjson` (read k6 NDJSON, fold every point into the registry, build the summary) against
 *    a JSON.parse-only pass over the same file (same reading and line splitting, nothing done with the values),
 *    measured in the same run. Goal >= 0.6x.
 * 2. memory: 10M latency samples into one registry (HDR histograms, no per-sample storage). Goal: RSS growth < 50 MB.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeNdjson } from '../reports/ingest/merge.ts';
import { BUILTIN_METRICS as M } from '../scenarios/engine/metrics/builtin.ts';
import { createRegistry } from '../scenarios/engine/metrics/registry.ts';
import type { Sample } from '../scenarios/engine/metrics/types.ts';
import { createNdjsonOutput } from '../scenarios/engine/outputs/ndjson.ts';

const REQUESTS = Number(process.env.BENCH_MERGE_REQUESTS ?? 50_000);
const SAMPLES = Number(process.env.BENCH_REGISTRY_SAMPLES ?? 10_000_000);
const dir = mkdtempSync(join(tmpdir(), 'caplab-bench-merge-'));
const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

/** Writes a k6-like NDJSON file: per request the 11 HTTP metrics k6 emits, plus checks; returns the line count. */
async function writeFile(file: string): Promise<number> {
  const out = createNdjsonOutput(createWriteStream(file));
  const trends = ['http_req_duration', 'http_req_blocked', 'http_req_connecting', 'http_req_tls_handshaking', 'http_req_sending', 'http_req_waiting', 'http_req_receiving'];
  const t0 = Date.UTC(2026, 10, 25, 8);
  let lines = 0;
  let x = 1;
  for (let i = 0; i < REQUESTS; i++) {
    const tags = { scenario: 'peak', group: '', name: `step_${i % 4}`, url: `step_${i % 4}`, method: 'POST', status: '200', expected_response: 'true', proto: 'HTTP/1.1' };
    const time = t0 + i * 0.5;
    x = (x * 48271) % 2147483647;
    const d = 20 + (x % 10_000) / 100;
    const add = (s: Sample): void => { out.add(s); lines++; };
    add({ metric: M.http_reqs!, time, value: 1, tags });
    for (const [k, name] of trends.entries()) add({ metric: M[name]!, time, value: k === 0 ? d : d / (k + 3), tags });
    add({ metric: M.http_req_failed!, time, value: 0, tags });
    add({ metric: M.data_sent!, time, value: 512, tags });
    add({ metric: M.data_received!, time, value: 2048, tags });
    add({ metric: M.checks!, time, value: 1, tags: { scenario: 'peak', group: '', check: 'status is 200' } });
    if (out.congested) await out.drained();
  }
  await out.close();
  return lines;
}

/** The peer: read the same file, split lines, JSON.parse each; nothing else. */
async function parseOnly(file: string): Promise<number> {
  let n = 0;
  let sum = 0;
  let carry = '';
  const decoder = new TextDecoder();
  for await (const chunk of createReadStream(file)) {
    const text = carry + decoder.decode(chunk as Uint8Array, { stream: true });
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      const v = JSON.parse(text.slice(start, nl)) as { data: { value?: number } };
      sum += v.data.value ?? 0;
      n++;
      start = nl + 1;
    }
    carry = text.slice(start);
  }
  if (sum < 0) throw new Error('unreachable');
  return n;
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await f();
  return [r, (performance.now() - t) / 1000];
}

try {
  const file = join(dir, 'points.ndjson');
  const lines = await writeFile(file);
  const mb = statSync(file).size / 1e6;
  // Warm up both paths once on the file so JIT state is comparable, then measure each twice and keep the best.
  await parseOnly(file);
  await mergeNdjson([{ name: file, stream: createReadStream(file) }]);
  let peer = Infinity;
  let ours = Infinity;
  for (let i = 0; i < 2; i++) {
    peer = Math.min(peer, (await timed(() => parseOnly(file)))[1]);
    ours = Math.min(ours, (await timed(() => mergeNdjson([{ name: file, stream: createReadStream(file) }])))[1]);
  }
  const ratio = peer / ours;
  console.log(`file: ${fmt(lines)} lines (${REQUESTS.toLocaleString('en-US')} requests), ${mb.toFixed(0)} MB`);
  console.log(`JSON.parse-only pass:  ${fmt(lines / peer)} lines/s (${peer.toFixed(2)} s)`);
  console.log(`caplab merge:          ${fmt(lines / ours)} lines/s (${ours.toFixed(2)} s)`);
  console.log(`ratio merge/parse:     ${ratio.toFixed(2)}x (goal >= 0.6x) ${ratio >= 0.6 ? 'met' : 'MISSED'}`);

  const reg = createRegistry({ thresholds: { 'http_req_duration{name:step_1}': [{ threshold: 'p(95)<100', abortOnFail: false, delayAbortEvalMs: 0 }] }, summaryTrendStats: ['avg', 'p(95)', 'p(99)'] });
  const tagSets = [0, 1, 2, 3].map((k) => ({ scenario: 'peak', name: `step_${k}`, status: '200' }));
  const before = process.memoryUsage().rss;
  let peakRss = before;
  let x = 7;
  const t = performance.now();
  for (let i = 0; i < SAMPLES; i++) {
    x = (x * 48271) % 2147483647;
    reg.add({ metric: M.http_req_duration!, time: 1e12 + i, value: 1 + (x % 500_000) / 100, tags: tagSets[i & 3]! });
    if ((i & 0xfffff) === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const secs = (performance.now() - t) / 1000;
  const after = process.memoryUsage().rss;
  peakRss = Math.max(peakRss, after);
  const growth = (peakRss - before) / 1e6;
  console.log(`registry: ${fmt(SAMPLES)} latency samples in ${secs.toFixed(2)} s (${fmt(SAMPLES / secs)} samples/s), ` +
    `RSS ${fmt(before / 1e6)} MB -> peak ${fmt(peakRss / 1e6)} MB: growth ${growth.toFixed(1)} MB (goal < 50 MB) ${growth < 50 ? 'met' : 'MISSED'}`);
  const p95 = reg.get('http_req_duration')!.sink;
  if (p95.type === 'trend') console.log(`  p(95) ${p95.percentile(95).toFixed(2)} ms over ${fmt(p95.count)} samples`);
  process.exitCode = ratio >= 0.6 && growth < 50 ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
