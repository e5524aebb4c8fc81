/**
 * The k6/ws stand-in's channel to its worker thread (ws.ts): the worker's source (one `ws` client per session), the
 * events it posts and the commands it takes, and the VU's side, which blocks on Atomics.wait and drains the events
 * with receiveMessageOnPort (the technique of synckit, as sync-http.ts does for k6/http).
 */
import { createRequire } from 'node:module';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';

/** What the worker reports: per session (`id`), or `fatal` (id 0) when the worker itself failed. */
export type WsEvent =
  | { id: number; type: 'open'; start: number; connectingMs: number; headers: Record<string, string> }
  | { id: number; type: 'failed'; start: number; connectingMs: number; status: number; headers: Record<string, string>; body: string; error: string }
  | { id: number; type: 'message'; data: string | Uint8Array; binary: boolean }
  | { id: number; type: 'ping' }
  | { id: number; type: 'pong'; pingMs?: number }
  | { id: number; type: 'error'; message: string }
  | { id: number; type: 'close'; code: number; reason: string; error: string }
  | { id: number; type: 'fatal'; message: string };

/** What the VU asks of the worker. */
export type WsCommand =
  | { id: number; cmd: 'connect'; url: string; headers: Record<string, string>; protocols: string[]; deflate: boolean; handshakeTimeoutMs: number }
  | { id: number; cmd: 'send'; data: string | Uint8Array; binary: boolean }
  | { id: number; cmd: 'ping'; payload: string }
  | { id: number; cmd: 'close'; code: number };

// The worker: one `ws` client per session. Every event is posted on the events port, then the shared counter is
// bumped and notified, so the VU's Atomics.wait wakes up (it waits on the counter's value it saw before draining).
const WORKER = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const ints = new Int32Array(workerData.sab, 0, 1);
const events = workerData.port;
const post = (ev) => { events.postMessage(ev); Atomics.add(ints, 0, 1); Atomics.notify(ints, 0); };
process.on('uncaughtException', (e) => post({ id: 0, type: 'fatal', message: String(e && e.stack || e) }));
const WebSocket = require(workerData.wsPath);
const now = () => performance.timeOrigin + performance.now();
// Go's CanonicalMIMEHeaderKey, as k6's res.headers names headers; a repeated header's values joined with ", ".
const canonical = (k) => k.toLowerCase().replace(/(^|-)([a-z])/g, (all, dash, c) => dash + c.toUpperCase());
const headersOf = (raw) => {
  const out = {};
  for (let i = 0; i < raw.length; i += 2) { const k = canonical(raw[i]); out[k] = out[k] === undefined ? raw[i + 1] : out[k] + ', ' + raw[i + 1]; }
  return out;
};
// Go's texts for the dial errors tests meet; Node's message otherwise.
const dialError = (e) => {
  if (e && e.code === 'ECONNREFUSED' && e.address) return 'dial tcp ' + (e.address.includes(':') ? '[' + e.address + ']' : e.address) + ':' + e.port + ': connect: connection refused';
  if (e && e.code === 'ENOTFOUND' && e.hostname) return 'dial tcp: lookup ' + e.hostname + ': no such host';
  return String(e && e.message || e);
};
const sessions = new Map();

function connect(m) {
  const id = m.id;
  const start = now();
  let settled = false, upgrade = null, rejected = null, lastError = '';
  const fail = (status, headers, body, error) => {
    if (settled) return;
    settled = true;
    sessions.delete(id);
    post({ id, type: 'failed', start, connectingMs: now() - start, status, headers, body, error });
  };
  let sock;
  try {
    sock = new WebSocket(m.url, m.protocols, {
      headers: m.headers, handshakeTimeout: m.handshakeTimeoutMs, followRedirects: false, maxPayload: 0, skipUTF8Validation: true,
      perMessageDeflate: m.deflate ? { serverNoContextTakeover: true, clientNoContextTakeover: true } : false,
    });
  } catch (e) {
    fail(0, {}, '', String(e.message));
    return;
  }
  const s = { sock, pings: new Map(), closing: false };
  sessions.set(id, s);
  sock.on('upgrade', (res) => {
    upgrade = headersOf(res.rawHeaders);
    // gorilla/websocket v1.5.0 (k6's) does not check the server's subprotocol; ws does: give it what it wants to see.
    if (m.protocols.length > 0) res.headers['sec-websocket-protocol'] = m.protocols[0];
    else delete res.headers['sec-websocket-protocol'];
  });
  sock.on('unexpected-response', (req, res) => {
    // k6 (gorilla): the status, the headers and the first 1024 bytes of the body.
    const chunks = [];
    let n = 0;
    rejected = () => {
      if (settled) return;
      fail(res.statusCode, headersOf(res.rawHeaders), Buffer.concat(chunks).subarray(0, 1024).toString('utf8'), '');
      sock.terminate();
    };
    res.on('data', (c) => { chunks.push(c); n += c.length; if (n >= 1024) rejected(); });
    res.on('end', () => rejected());
    res.on('error', () => rejected());
  });
  sock.on('open', () => {
    if (settled) return;
    settled = true;
    post({ id, type: 'open', start, connectingMs: now() - start, headers: upgrade || {} });
  });
  sock.on('error', (e) => {
    if (!settled) {
      if (rejected) rejected();
      // A 101 ws refused (bad accept header...): k6's ErrBadHandshake, with the response but no error text.
      else if (upgrade) fail(101, upgrade, '', '');
      else fail(0, {}, '', dialError(e));
      return;
    }
    lastError = String(e && e.message || e);
  });
  sock.on('message', (data, binary) => post({ id, type: 'message', data: binary ? new Uint8Array(data) : data.toString('utf8'), binary }));
  sock.on('ping', () => post({ id, type: 'ping' }));
  sock.on('pong', (data) => {
    const at = s.pings.get(data.toString('utf8'));
    post({ id, type: 'pong', pingMs: at === undefined ? undefined : now() - at });
  });
  sock.on('close', (code, reason) => {
    sessions.delete(id);
    if (!settled) { fail(0, {}, '', lastError || 'connection closed'); return; }
    if (!s.closing) post({ id, type: 'close', code, reason: reason.toString('utf8'), error: lastError });
  });
}

parentPort.on('message', (m) => {
  if (m.cmd === 'connect') { connect(m); return; }
  const s = sessions.get(m.id);
  if (s === undefined) {
    if (m.cmd !== 'close') post({ id: m.id, type: 'error', message: 'websocket: close sent' });
    return;
  }
  const onWritten = (err) => { if (err) post({ id: m.id, type: 'error', message: String(err.message) }); };
  if (m.cmd === 'send') s.sock.send(m.data, { binary: m.binary }, onWritten);
  else if (m.cmd === 'ping') {
    s.pings.set(m.payload, now());
    s.sock.ping(m.payload, undefined, onWritten);
  } else if (m.cmd === 'close') {
    // k6 writes the close frame and drops the connection at once; here the server gets a second to answer it.
    s.closing = true;
    try { s.sock.close(m.code); } catch { s.sock.terminate(); }
    setTimeout(() => s.sock.terminate(), 1000);
  }
});
`;

/** The worker and the VU's end of its events port. */
export interface Channel {
  worker: Worker;
  port: MessagePort;
  /** [0]: events posted so far (the worker bumps it after each). */
  ints: Int32Array;
  /** Events received for the sessions still open in this thread, by session id. */
  queues: Map<number, WsEvent[]>;
  nextId: number;
}

let channel: Channel | undefined;

/** The worker, started on first use (one per process; unref'd, so it does not keep the process alive). */
export function channelOf(): Channel {
  if (channel !== undefined) return channel;
  const sab = new SharedArrayBuffer(4);
  const { port1, port2 } = new MessageChannel();
  const wsPath = createRequire(import.meta.url).resolve('ws');
  const worker = new Worker(WORKER, { eval: true, workerData: { sab, port: port2, wsPath }, transferList: [port2] });
  worker.unref();
  const ch: Channel = { worker, port: port1, ints: new Int32Array(sab), queues: new Map(), nextId: 1 };
  const forget = (): void => {
    if (channel === ch) channel = undefined;
  };
  worker.on('error', forget);
  worker.on('exit', forget);
  return (channel = ch);
}

/**
 * The next event of a session: a queued one, else one drained from the port, else waits for one until `deadline`.
 * @param ch the channel
 * @param id the session
 * @param deadline performance.now() value to wait until (one in the past: do not wait)
 * @returns the event, or undefined when none came in time
 * @throws {Error} when the worker reported a failure of its own
 */
export function nextEvent(ch: Channel, id: number, deadline: number): WsEvent | undefined {
  const queue = ch.queues.get(id)!;
  for (;;) {
    if (queue.length > 0) return queue.shift();
    const seen = Atomics.load(ch.ints, 0);
    for (let m = receiveMessageOnPort(ch.port); m !== undefined; m = receiveMessageOnPort(ch.port)) {
      const ev = m.message as WsEvent;
      if (ev.type === 'fatal') throw new Error(`stand-in k6: the WebSocket worker failed: ${ev.message}`);
      // Events of a session that has ended (the server's answer to a close, say) are dropped.
      ch.queues.get(ev.id)?.push(ev);
    }
    if (queue.length > 0) return queue.shift();
    const left = deadline - performance.now();
    if (left <= 0) return undefined;
    Atomics.wait(ch.ints, 0, seen, left);
  }
}
