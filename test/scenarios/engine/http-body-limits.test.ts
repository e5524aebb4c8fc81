/**
 * A step's response body against its limits, on raw servers on 127.0.0.1: a kept body (extract, body checks) longer
 * than `options.caplabMaxBodyBytes` fails its request naming the cap and stops reading (the server gets to write
 * little more than the cap), a body only counted is not capped, and the `timeout` covers the whole response: a body
 * that trickles fails at the timeout with k6's error code 1050.
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Problem, ValidationError } from '../../../models/errors.ts';
import { k6ErrorOf } from '../../../scenarios/engine/error-codes.ts';
import { effectiveScenarios, runEngine } from '../../../scenarios/engine/run.ts';
import { parseScenarioSpec } from '../../../scenarios/spec.ts';
import { closeRawHttp, rawServer, type RawServer, req, until, vu } from '../../helpers/raw-http-server.ts';
import { CollectingSink, specOf } from '../server.ts';

afterEach(closeRawHttp);

const CHUNK = Buffer.alloc(64 * 1024, 'x');

/**
 * Answers with a chunked body of `total` bytes written as fast as the client reads (backpressure), counting what it
 * wrote in `written`; stops when the client closes.
 */
function streamBody(total: number, written: { bytes: number }) {
  return (_r: unknown, sock: Socket): void => {
    sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n');
    const pump = (): void => {
      while (written.bytes < total && !sock.destroyed) {
        written.bytes += CHUNK.length;
        sock.write(`${CHUNK.length.toString(16)}\r\n`);
        sock.write(CHUNK);
        if (!sock.write('\r\n')) { sock.once('drain', pump); return; }
      }
      if (!sock.destroyed) sock.end('0\r\n\r\n');
    };
    pump();
  };
}

/** Answers with a chunked body of which one small chunk arrives every `everyMs`, for ever. */
function trickle(everyMs: number) {
  return (_r: unknown, sock: Socket): void => {
    sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n[\r\n');
    const t = setInterval(() => { if (sock.destroyed) clearInterval(t); else sock.write('2\r\n1,\r\n'); }, everyMs);
    sock.on('close', () => clearInterval(t));
  };
}

describe('kept bodies are capped', () => {
  it('a kept body over maxBodyBytes fails its request naming the cap, and reading stops there', async () => {
    const written = { bytes: 0 };
    const s = await rawServer(streamBody(200e6, written));
    const r = await vu().request(req(s, { keepBody: true, maxBodyBytes: 1_000_000, timeoutMs: 60_000 }));
    expect(r.status).toBe(0);
    expect(r.error).toBe('response body over 1000000 bytes, the cap on bodies kept for extract and body checks (options.caplabMaxBodyBytes)');
    expect(r.body.length).toBe(0);
    // At most one read past the cap was taken; the server could write only what the socket buffers held besides.
    expect(r.bodySize).toBeLessThanOrEqual(1_000_000 + 64 * 1024);
    await until(() => s.closed.has(0), 'the client to close the connection');
    expect(written.bytes).toBeLessThan(50e6);
  }, 60_000);

  it('a body that is only counted is not capped', async () => {
    const written = { bytes: 0 };
    const s = await rawServer(streamBody(5e6, written));
    const r = await vu().request(req(s, { keepBody: false, maxBodyBytes: 1_000_000, timeoutMs: 60_000 }));
    expect(r.status, r.error).toBe(200);
    expect(r.bodySize).toBe(written.bytes);
  }, 60_000);
});

async function runStep(s: RawServer, step: Record<string, unknown>, options: Record<string, unknown> = {}) {
  const spec = parseScenarioSpec(specOf(s.origin, { c: { executor: 'shared-iterations', vus: 1, iterations: 1 } }, { default: { steps: [step] } }, {}), 'spec');
  Object.assign(spec.options, options);
  const sink = new CollectingSink();
  const result = await runEngine(spec, effectiveScenarios(spec), { sink, seed: 1, onError: () => {} });
  return { sink, result };
}

describe('a step with extract', () => {
  it('fails on a body over options.caplabMaxBodyBytes (http_req_failed, error_code 1000), with the default of 10 MB', async () => {
    const spec = parseScenarioSpec(specOf('http://127.0.0.1:1', {}, { default: { steps: [{ path: '/' }] } }), 'spec');
    expect(spec.options.caplabMaxBodyBytes).toBe(10_000_000);
    const written = { bytes: 0 };
    const s = await rawServer(streamBody(200e6, written));
    const { sink } = await runStep(s, { name: 'big', path: '/', extract: { token: '$.token' }, timeout: '60s' });
    const failed = sink.of('http_req_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.value).toBe(1);
    expect(failed[0]!.tags).toMatchObject({ status: '0', error_code: '1000' });
    expect(written.bytes).toBeLessThan(60e6);
  }, 60_000);

  it('takes the cap from options.caplabMaxBodyBytes, and refuses a cap that is not a positive integer', async () => {
    const s = await rawServer(streamBody(1e6, { bytes: 0 }));
    const { sink } = await runStep(s, { name: 'big', path: '/', extract: { token: '$.token' } }, { caplabMaxBodyBytes: 100_000 });
    expect(sink.of('http_req_failed')[0]!.value).toBe(1);
    let problems: Problem[] = [];
    try {
      parseScenarioSpec({ ...specOf(s.origin, {}, { default: { steps: [{ path: '/' }] } }), options: { caplabMaxBodyBytes: 0 } }, 'spec.json');
    } catch (err) {
      problems = (err as ValidationError).problems;
    }
    expect(problems.map((p) => p.where)).toEqual(['spec.json: options.caplabMaxBodyBytes']);
  }, 60_000);
});

describe('the timeout covers the whole response', () => {
  it('a body that trickles fails at the timeout with k6\'s request timeout (error code 1050)', async () => {
    const s = await rawServer(trickle(50));
    const r = await vu().request(req(s, { keepBody: true, timeoutMs: 500 }));
    expect(r.status).toBe(0);
    expect(r.error).toMatch(/^request timeout/);
    expect(k6ErrorOf(r.error, r.errorCause).code).toBe(1050);
    // Bytes kept arriving all along: the first came well before the timeout, the failure at it.
    expect(r.bodySize).toBeGreaterThan(0);
  }, 30_000);

  it('in a flow, the trickling response is a failed request tagged error_code 1050', async () => {
    const s = await rawServer(trickle(50));
    const { sink } = await runStep(s, { name: 'slow', path: '/', extract: { token: '$.token' }, timeout: '500ms' });
    const failed = sink.of('http_req_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.tags).toMatchObject({ status: '0', error_code: '1050' });
    // The timeout runs from the request's start: blocked (the connect) plus duration make up at least the 500 ms it
    // waited (Node may fire a timer up to 1 ms early by performance.now()).
    const waited = sink.of('http_req_blocked')[0]!.value + sink.of('http_req_duration')[0]!.value;
    expect(waited).toBeGreaterThanOrEqual(500 - 1);
  }, 30_000);
});
