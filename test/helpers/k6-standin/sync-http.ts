/**
 * Synchronous HTTP for the stand-in k6 binary. k6 scripts call `http.request` synchronously (k6 runs each VU on its
 * own goroutine); under Node the stand-in keeps that shape by sending the request from a worker thread and blocking
 * on Atomics.wait until the worker has written the response into shared memory (the technique of synckit).
 * The worker keeps connections alive, as k6 does, and measures k6's timings (tls_handshaking included). It speaks
 * https too, with the k6 options a script's requests depend on ({@link SyncHttpOptions}): it verifies the server's
 * certificate against Node's CAs, as k6 against the system's, unless `insecureSkipTLSVerify` (the option, or k6's
 * `--insecure-skip-tls-verify` flag, main.ts).
 */
import { Worker } from 'node:worker_threads';
import type { StandinTimings } from '../../scenarios/k6/standins/state.ts';

/** A request as the k6/http stand-in makes it. */
export interface SyncRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Text, or bytes (a file, a multipart form). */
  body: string | Uint8Array | null;
  /** Timeout, ms. */
  timeoutMs: number;
}

/** What came back. */
export interface SyncResponse {
  /** HTTP status, 0 when there was no response. */
  status: number;
  /** Response body (UTF-8), or the error message when status is 0. */
  body: string;
  /** k6's timings, ms. */
  timings: StandinTimings;
  /** Bytes sent and received on the wire (request and response heads and bodies). */
  bytes: { sent: number; received: number };
  /**
   * Response headers: Go's canonical names (as k6's res.headers), a repeated header as a list of its values (k6's
   * res.headers joins them with ", "; the VU's cookie jar takes each Set-Cookie line).
   */
  headers: Record<string, string | string[]>;
}

/**
 * The k6 options the stand-in gives effect to, simply: certificate verification, client certificates by domain
 * (exact names, or entries without domains), `hosts` (exact `name:port` or `name` -> IP[:port], Host header and SNI
 * kept), `userAgent` ("" sends none), `noConnectionReuse`.
 */
export interface SyncHttpOptions {
  insecureSkipTLSVerify?: boolean;
  tlsAuth?: { domains?: string[]; cert: string; key: string }[];
  hosts?: Record<string, string>;
  userAgent?: string;
  noConnectionReuse?: boolean;
}

/** A synchronous HTTP client over one worker thread. */
export interface SyncHttp {
  /** Gives the script's k6 options effect on the requests that follow. */
  configure(options: SyncHttpOptions): void;
  /** Sends one request and blocks until its response (or error) is in. */
  request(req: SyncRequest): SyncResponse;
  /** Stops the worker. */
  close(): Promise<void>;
}

const BODY_BYTES = 8 * 1024 * 1024;
// Layout: Int32 [0] state (0 waiting, 1 done), [1] status, [2] body length, [3] bytes sent, [4] bytes received,
// [5] length of the response headers' JSON (written right after the body); Float64 from byte 24: duration (sending +
// waiting + receiving, as k6), blocked, connecting, sending, waiting, receiving, tls_handshaking; body from byte 80.
// Messages to the worker: {configure: SyncHttpOptions} (no answer), or a SyncRequest (answered in the shared memory).
const HEAD = 80;

const WORKER = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const https = require('node:https');
let conf = {};
let agent = new http.Agent({ keepAlive: true });
let secureAgent = new https.Agent({ keepAlive: true });
const ints = new Int32Array(workerData.sab, 0, 6);
const times = new Float64Array(workerData.sab, 24, 7);
const body = new Uint8Array(workerData.sab, ${HEAD});
// Go's CanonicalMIMEHeaderKey, as k6's res.headers names headers.
const canonical = (k) => k.toLowerCase().replace(/(^|-)([a-z])/g, (all, dash, c) => dash + c.toUpperCase());
parentPort.on('message', (m) => {
  if (m.configure) {
    conf = m.configure;
    agent = new http.Agent({ keepAlive: conf.noConnectionReuse !== true });
    secureAgent = new https.Agent({ keepAlive: conf.noConnectionReuse !== true });
    return;
  }
  const t0 = performance.now();
  let tSocket = t0, tConnected = t0, tSecure = 0, tSent = t0, tFirst = 0, done = false, sent = 0, heads = {};
  const finish = (status, buf, received) => {
    if (done) return;
    done = true;
    const end = performance.now();
    const hb = Buffer.from(JSON.stringify(heads));
    const n = Math.min(buf.length, body.length - hb.length);
    body.set(buf.subarray(0, n));
    body.set(hb, n);
    if (tFirst === 0) tFirst = end;
    const ready = tSecure > 0 ? tSecure : tConnected;
    ints[1] = status; ints[2] = n; ints[3] = sent; ints[4] = received; ints[5] = hb.length;
    times[0] = end - ready; times[1] = tSocket - t0; times[2] = tConnected - tSocket;
    times[3] = tSent - ready; times[4] = tFirst - tSent; times[5] = end - tFirst; times[6] = tSecure > 0 ? tSecure - tConnected : 0;
    Atomics.store(ints, 0, 1);
    Atomics.notify(ints, 0);
  };
  let req;
  try {
    const u = new URL(m.url);
    const secure = u.protocol === 'https:';
    const port = u.port || (secure ? '443' : '80');
    const mapped = conf.hosts ? (conf.hosts[u.hostname + ':' + port] ?? conf.hosts[u.hostname]) : undefined;
    // IP, IP:port, [IPv6]:port or a bare IPv6 address.
    const to = mapped === undefined ? undefined : mapped.startsWith('[') ? /^\[(.+)\](?::(\d+))?$/.exec(mapped)
      : mapped.split(':').length === 2 ? /^(.+):(\d+)$/.exec(mapped) : [mapped, mapped, undefined];
    const opts = { method: m.method, agent: secure ? secureAgent : agent, timeout: m.timeoutMs, headers: m.headers };
    if (conf.userAgent !== undefined && conf.userAgent !== '') opts.headers = Object.assign({ 'User-Agent': conf.userAgent }, m.headers);
    if (to) {
      const ip = to[1];
      opts.lookup = (_h, o, cb) => (o && o.all ? cb(null, [{ address: ip, family: ip.includes(':') ? 6 : 4 }]) : cb(null, ip, ip.includes(':') ? 6 : 4));
      if (to[2]) opts.port = Number(to[2]);
    }
    if (secure) {
      opts.rejectUnauthorized = conf.insecureSkipTLSVerify !== true;
      opts.servername = u.hostname;
      const auth = (conf.tlsAuth || []).find((a) => (a.domains || []).includes(u.hostname)) || (conf.tlsAuth || []).find((a) => !a.domains || a.domains.length === 0);
      if (auth) { opts.cert = auth.cert; opts.key = auth.key; }
    }
    req = (secure ? https : http).request(m.url, opts, (res) => {
      tFirst = performance.now();
      for (let i = 0; i < res.rawHeaders.length; i += 2) {
        const k = canonical(res.rawHeaders[i]);
        const v = res.rawHeaders[i + 1];
        heads[k] = heads[k] === undefined ? v : Array.isArray(heads[k]) ? heads[k].concat(v) : [heads[k], v];
      }
      const chunks = [];
      let head = 12 + res.statusMessage.length + 2;
      for (let i = 0; i < res.rawHeaders.length; i += 2) head += res.rawHeaders[i].length + res.rawHeaders[i + 1].length + 4;
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => { const b = Buffer.concat(chunks); finish(res.statusCode, b, head + b.length); });
      res.on('error', (e) => finish(0, Buffer.from(String(e.message)), 0));
    });
  } catch (e) {
    finish(0, Buffer.from(String(e.message)), 0);
    return;
  }
  req.on('socket', (s) => {
    tSocket = performance.now();
    if (s.connecting) {
      s.once('connect', () => { tConnected = performance.now(); });
      if (typeof s.getPeerCertificate === 'function') s.once('secureConnect', () => { tSecure = performance.now(); });
    } else tConnected = tSocket;
  });
  req.on('finish', () => { tSent = performance.now(); });
  req.on('timeout', () => req.destroy(new Error('request timeout')));
  req.on('error', (e) => finish(0, Buffer.from(String(e.message)), 0));
  const payload = m.body === null ? undefined : Buffer.from(m.body);
  sent = m.method.length + m.url.length + 12 + (payload ? payload.length : 0);
  for (const [k, v] of Object.entries(m.headers)) sent += k.length + String(v).length + 4;
  req.end(payload);
});
`;

/**
 * Starts the worker.
 * @returns the client; close() it when done
 */
export function createSyncHttp(): SyncHttp {
  const sab = new SharedArrayBuffer(HEAD + BODY_BYTES);
  const ints = new Int32Array(sab, 0, 6);
  const times = new Float64Array(sab, 24, 7);
  const body = new Uint8Array(sab, HEAD);
  const worker = new Worker(WORKER, { eval: true, workerData: { sab } });
  worker.unref();
  const decoder = new TextDecoder();
  return {
    configure(options) {
      worker.postMessage({ configure: options });
    },
    request(req) {
      Atomics.store(ints, 0, 0);
      worker.postMessage(req);
      // The worker always answers (its own timeout covers a silent server); the margin covers a stuck worker.
      if (Atomics.wait(ints, 0, 0, req.timeoutMs + 10_000) === 'timed-out') throw new Error(`stand-in k6: no answer from the HTTP worker for ${req.url}`);
      const status = ints[1]!;
      return {
        status,
        body: decoder.decode(body.slice(0, ints[2]!)),
        headers: JSON.parse(decoder.decode(body.slice(ints[2]!, ints[2]! + ints[5]!)) || '{}') as Record<string, string | string[]>,
        timings: {
          duration: times[0]!, blocked: times[1]!, connecting: times[2]!, tls_handshaking: times[6]!,
          sending: times[3]!, waiting: times[4]!, receiving: times[5]!,
        },
        bytes: { sent: ints[3]!, received: ints[4]! },
      };
    },
    async close() {
      await worker.terminate();
    },
  };
}
