/**
 * Stand-in for k6/ws (k6 v0.48's legacy, blocking WebSocket module; /work/notes/k6-ws.md has its semantics, read
 * from js/modules/k6/ws/ws.go). `connect(url, [params], callback)` blocks until the session is over, as k6's does:
 * the socket lives in a worker thread (the `ws` package) while the VU's thread waits on Atomics.wait and drains the
 * worker's events with receiveMessageOnPort (the technique of synckit, as sync-http.ts does for k6/http). The events
 * run the socket's 'open', 'message', 'binaryMessage', 'ping', 'pong', 'close' and 'error' handlers synchronously on
 * the VU's thread, and so do the socket's setTimeout/setInterval timers: the wait's timeout is the next timer due.
 * send, sendBinary, ping and close post commands to the worker.
 *
 * As k6: the callback runs after the handshake, then 'open'; a handshake that fails (refused, non-101, bad 101) ends
 * connect() with the status (0 with `error` when there was no HTTP answer, the status, headers and first 1024 bytes
 * of the body when there was) without running the callback and without an exception; close() defaults to 1001,
 * calls the 'close' handlers at once and ends the session without waiting for the server; a server's close other
 * than 1000/1001 fires 'error' first; an exception in the callback, a handler or a timer closes the socket (1001)
 * and is rethrown from connect(). There is no clearTimeout/clearInterval, as in k6.
 *
 * Metrics (k6's names, types and tags) go into the same recordings as the other stand-ins' samples (state.ts's
 * `standin.samples`, emitted by the stand-in binary's driver with the VU's iteration): ws_sessions and ws_connecting
 * when the handshake ends (success or failure), ws_msgs_sent per send (even after close, as k6), ws_msgs_received
 * per data message before its handlers, ws_ping per pong answering one of this socket's pings, ws_session_duration
 * (from the dial's start, handshake included) when connect() returns. Tags: the VU's tags, `group`, params.tags,
 * `url` (the string given to connect), then `status` and `subproto` when there was an HTTP answer. The samples carry
 * no time of their own (state.ts has none): the driver stamps them when it emits the iteration's recordings.
 *
 * Bounds: the handshake times out after 60 s (k6's fixed HandshakeTimeout). A session the script never closes is
 * closed by the stand-in (1001, 'close' handlers called, as k6 does when the VU is interrupted) after
 * {@link DEFAULT_MAX_SESSION_MS} from the handshake, or `CAPLAB_K6_STANDIN_WS_MAX_MS` ms when that is set. The VU's
 * thread is blocked meanwhile, so an interrupt (SIGINT) is only seen by the stand-in once the session has ended.
 *
 * Not modelled: params.jar and cookies, options.userAgent (no User-Agent is sent), the k6 options `hosts`,
 * `insecureSkipTLSVerify` and `tlsAuth` (wss verifies the server against Node's CAs), data_sent/data_received for ws
 * traffic, the `ip` tag. The server's subprotocol answer is not checked (gorilla/websocket v1.5.0 does not either).
 */
import { type Channel, channelOf, nextEvent, type WsCommand, type WsEvent } from './ws-channel.ts';
import { currentVuTags, groupPath, standin } from './state.ts';

/** Cap of a session's length after its handshake, ms, unless CAPLAB_K6_STANDIN_WS_MAX_MS says otherwise. */
export const DEFAULT_MAX_SESSION_MS = 60_000;
/** k6's handshake timeout (ws.go: `HandshakeTimeout: time.Second * 60`). */
const HANDSHAKE_MS = 60_000;
/** How much longer than the handshake timeout the VU waits for the worker's answer (a worker still starting). */
const WORKER_MARGIN_MS = 10_000;

/** k6's params of ws.connect (others are ignored, as in k6). */
interface Params {
  headers?: Record<string, unknown> | null;
  tags?: Record<string, unknown> | null;
  compression?: unknown;
  jar?: unknown;
}

/** k6's Response of ws.connect. */
export interface WsResponse {
  /** The URL given to connect() on success, '' after a failed handshake. */
  url: string;
  /** 101, the handshake's status when it failed, 0 when there was no HTTP answer. */
  status: number;
  /** Response headers, Go's canonical names, values joined with ", ". */
  headers: Record<string, string>;
  /** A failed handshake's body (first 1024 bytes), else ''. */
  body: string;
  /** Why there was no HTTP answer, else ''. */
  error: string;
}

/** The error the 'error' handlers get (a Go error in k6: its text is `e.error()`). */
class WsError {
  readonly #message: string;
  constructor(message: string) {
    this.#message = message;
  }
  /** @returns the error's text */
  error(): string {
    return this.#message;
  }
  toString(): string {
    return this.#message;
  }
}

/** gorilla/websocket's CloseError text, what k6's 'error' handlers get for an unexpected close. */
function closeErrorText(code: number, text: string): string {
  const names: Record<number, string> = {
    1000: 'normal', 1001: 'going away', 1002: 'protocol error', 1003: 'unsupported data', 1005: 'no status',
    1006: 'abnormal closure', 1007: 'invalid payload data', 1008: 'policy violation', 1009: 'message too big',
    1010: 'mandatory extension missing', 1011: 'internal server error', 1015: 'TLS handshake error',
  };
  const name = names[code];
  return `websocket: close ${code}${name === undefined ? '' : ` (${name})`}${text === '' ? '' : `: ${text}`}`;
}

/** Go's CanonicalMIMEHeaderKey. */
const canonical = (k: string): string => k.toLowerCase().replace(/(^|-)([a-z])/g, (_all, dash: string, c: string) => dash + c.toUpperCase());

/** Headers gorilla/websocket sets itself and refuses from the caller (canonical names). */
const OWN_HEADERS = new Set(['Upgrade', 'Connection', 'Sec-Websocket-Key', 'Sec-Websocket-Version', 'Sec-Websocket-Extensions']);

const epochNow = (): number => performance.timeOrigin + performance.now();

function record(metric: string, type: 'counter' | 'trend', isTime: boolean, value: number, tags: Record<string, string>): void {
  standin.samples.push({ metric, value, tags: { ...tags }, type, isTime });
}

/** The session cap, ms (see the module comment). */
function maxSessionMs(): number {
  const v = Number(process.env.CAPLAB_K6_STANDIN_WS_MAX_MS);
  return Number.isFinite(v) && v > 0 ? v : DEFAULT_MAX_SESSION_MS;
}

/** A socket timer: its callback, when it is due (performance.now()) and, for setInterval, its period. */
interface Timer {
  fn: () => void;
  due: number;
  every?: number;
}

type Handler = (...args: unknown[]) => void;

/**
 * k6's ws.connect: opens a WebSocket session and blocks until it is closed.
 * @param url ws:// or wss:// URL
 * @param args `[callback]` or `[params, callback]`: params `{headers, tags, compression, jar}`
 * @returns k6's Response
 * @throws {Error} for k6's argument errors, or what the callback, a handler or a timer threw
 */
export function connect(url: string, ...args: unknown[]): WsResponse {
  if (args.length < 1 || args.length > 2) throw new Error('invalid number of arguments to ws.connect');
  const callback = args[args.length - 1];
  if (typeof callback !== 'function') throw new Error('last argument to ws.connect must be a function');
  const params = (args.length === 2 && args[0] !== null && args[0] !== undefined ? args[0] : {}) as Params;
  url = String(url);

  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(params.headers ?? {})) headers[canonical(k)] = String(v);
  const tags: Record<string, string> = { ...currentVuTags(), group: groupPath() };
  for (const [k, v] of Object.entries(params.tags ?? {})) {
    if (!['string', 'number', 'boolean'].includes(typeof v)) throw new Error(`invalid ws.connect() metric tags: invalid value for metric tag '${k}': ${String(v)}`);
    tags[k] = String(v);
  }
  tags.url = url;
  const compression = params.compression === undefined || params.compression === null ? '' : String(params.compression).trim();
  if (compression !== '' && compression !== 'deflate') throw new Error(`unsupported compression algorithm '${compression}', supported algorithm is 'deflate'`);

  // What gorilla refuses before dialling: a URL that is not ws/wss (or has credentials), a header it sets itself.
  let refusal: string | undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    refusal = 'malformed ws or wss URL';
  }
  if (parsed !== undefined && (!['ws:', 'wss:'].includes(parsed.protocol) || parsed.username !== '' || parsed.password !== '')) refusal = 'malformed ws or wss URL';
  for (const k of Object.keys(headers)) if (refusal === undefined && OWN_HEADERS.has(k)) refusal = `websocket: duplicate header not allowed: ${k}`;
  // Subprotocols are asked for with the header (k6 0.48 has no subprotocols param); ws wants them as a list.
  const protocols = (headers['Sec-Websocket-Protocol'] ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
  delete headers['Sec-Websocket-Protocol'];

  const failed = (start: number, connectingMs: number, res: WsResponse): WsResponse => {
    if (res.status !== 0) {
      tags.status = String(res.status);
      tags.subproto = res.headers['Sec-Websocket-Protocol'] ?? '';
    }
    record('ws_sessions', 'counter', false, 1, tags);
    record('ws_connecting', 'trend', true, connectingMs, tags);
    record('ws_session_duration', 'trend', true, epochNow() - start, tags);
    return res;
  };
  if (refusal !== undefined) return failed(epochNow(), 0, { url: '', status: 0, headers: {}, body: '', error: refusal });

  const ch = channelOf();
  const id = ch.nextId++;
  ch.queues.set(id, []);
  const post = (c: WsCommand): void => ch.worker.postMessage(c);
  try {
    post({ id, cmd: 'connect', url, headers, protocols, deflate: compression === 'deflate', handshakeTimeoutMs: HANDSHAKE_MS });
    const hs = nextEvent(ch, id, performance.now() + HANDSHAKE_MS + WORKER_MARGIN_MS);
    if (hs === undefined) throw new Error(`stand-in k6: no answer from the WebSocket worker for ${url}`);
    if (hs.type === 'failed') {
      return failed(hs.start, hs.connectingMs, hs.status === 0
        ? { url: '', status: 0, headers: {}, body: '', error: hs.error }
        : { url: '', status: hs.status, headers: hs.headers, body: hs.body, error: '' });
    }
    if (hs.type !== 'open') throw new Error(`stand-in k6: unexpected WebSocket event ${hs.type} before the handshake ended`);
    tags.status = '101';
    tags.subproto = hs.headers['Sec-Websocket-Protocol'] ?? '';
    record('ws_sessions', 'counter', false, 1, tags);
    record('ws_connecting', 'trend', true, hs.connectingMs, tags);
    try {
      session(ch, id, callback as (socket: unknown) => void, tags, post);
    } finally {
      record('ws_session_duration', 'trend', true, epochNow() - hs.start, tags);
    }
    return { url, status: 101, headers: hs.headers, body: '', error: '' };
  } finally {
    ch.queues.delete(id);
  }
}

/**
 * The open session: runs the callback, 'open', then the event loop until the socket is closed.
 * @throws {Error} what the callback, a handler or a timer threw (the socket closed with 1001 first)
 */
function session(ch: Channel, id: number, callback: (socket: unknown) => void, tags: Record<string, string>, post: (c: WsCommand) => void): void {
  const handlers = new Map<string, Handler[]>();
  const timers: Timer[] = [];
  let closed = false;
  let pings = 0;
  const fire = (event: string, ...args: unknown[]): void => {
    for (const h of handlers.get(event) ?? []) h(...args);
  };
  // k6's closeConnection: once; writes the close frame, calls the 'close' handlers, ends the loop.
  const closeConnection = (code: number): void => {
    if (closed) return;
    closed = true;
    post({ id, cmd: 'close', code });
    fire('close', code);
  };
  const timer = (kind: 'setTimeout' | 'setInterval', fn: unknown, ms: unknown): void => {
    const d = Number(ms);
    if (!(Math.trunc(d * 1e6) > 0)) throw new Error(`${kind} requires a >0 timeout parameter, received ${d.toFixed(2)}`);
    if (typeof fn !== 'function') throw new Error(`${kind} requires a function`);
    timers.push({ fn: fn as () => void, due: performance.now() + d, ...(kind === 'setInterval' ? { every: d } : {}) });
  };
  const sent = (): void => record('ws_msgs_sent', 'counter', false, 1, tags);
  const socket = {
    on(event: string, handler: unknown): void {
      if (typeof handler !== 'function') return;
      let list = handlers.get(event);
      if (list === undefined) handlers.set(event, (list = []));
      list.push(handler as Handler);
    },
    send(data: unknown): void {
      if (closed) fire('error', new WsError('websocket: close sent'));
      else post({ id, cmd: 'send', data: String(data), binary: false });
      sent();
    },
    sendBinary(data: unknown): void {
      if (data === undefined && arguments.length === 0) throw new Error('missing argument, expected ArrayBuffer');
      if (!(data instanceof ArrayBuffer)) {
        const type = data === null || data === undefined ? String(data) : ((data as object).constructor?.name ?? typeof data);
        throw new Error(`expected ArrayBuffer as argument, received: ${type}`);
      }
      if (closed) fire('error', new WsError('websocket: close sent'));
      else post({ id, cmd: 'send', data: new Uint8Array(data.slice(0)), binary: true });
      sent();
    },
    ping(): void {
      if (closed) {
        fire('error', new WsError('websocket: close sent'));
        return;
      }
      post({ id, cmd: 'ping', payload: String(pings++) });
    },
    close(code?: unknown): void {
      closeConnection(code === undefined ? 1001 : Math.trunc(Number(code)));
    },
    setTimeout(fn: unknown, ms: unknown): void {
      timer('setTimeout', fn, ms);
    },
    setInterval(fn: unknown, ms: unknown): void {
      timer('setInterval', fn, ms);
    },
  };

  const dispatch = (ev: WsEvent): void => {
    switch (ev.type) {
      case 'message':
        record('ws_msgs_received', 'counter', false, 1, tags);
        if (ev.binary) {
          const bytes = ev.data as Uint8Array;
          fire('binaryMessage', bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
        } else fire('message', ev.data);
        return;
      case 'ping':
        fire('ping');
        return;
      case 'pong':
        if (ev.pingMs !== undefined) record('ws_ping', 'trend', true, ev.pingMs, tags);
        fire('pong');
        return;
      case 'error':
        fire('error', new WsError(ev.message));
        return;
      case 'close':
        // gorilla's readPump: a close other than 1000/1001 (1006 for a dropped connection) is an error first.
        if (ev.code !== 1000 && ev.code !== 1001) fire('error', new WsError(closeErrorText(ev.code, ev.code === 1006 ? 'unexpected EOF' : ev.reason)));
        closeConnection(ev.code);
        return;
      default:
        throw new Error(`stand-in k6: unexpected WebSocket event ${ev.type} in a session`);
    }
  };

  /** Runs the timers due at `now`, earliest first (each at most once per call); stops when the socket closes. */
  const runDue = (now: number): void => {
    const due = timers.filter((t) => t.due <= now).sort((a, b) => a.due - b.due);
    for (const t of due) {
      if (closed) return;
      if (t.every === undefined) timers.splice(timers.indexOf(t), 1);
      else {
        // Go's Ticker: the phase is kept, ticks missed meanwhile are dropped (but one, due now).
        t.due += t.every;
        if (t.due < now) t.due += Math.floor((now - t.due) / t.every) * t.every;
      }
      t.fn();
    }
  };

  try {
    callback(socket);
    fire('open');
    const capAt = performance.now() + maxSessionMs();
    while (!closed) {
      const now = performance.now();
      if (now >= capAt) {
        // As k6 when the VU's context ends: close with 1001, 'close' handlers called.
        closeConnection(1001);
        break;
      }
      runDue(now);
      if (closed) break;
      const wake = timers.reduce((m, t) => Math.min(m, t.due), capAt);
      const ev = nextEvent(ch, id, wake);
      if (ev !== undefined) dispatch(ev);
    }
  } catch (err) {
    if (!closed) {
      closed = true;
      post({ id, cmd: 'close', code: 1001 });
      try {
        fire('close', 1001);
      } catch {
        // The first exception is the one connect() rethrows.
      }
    }
    throw err;
  }
}

export default { connect };
