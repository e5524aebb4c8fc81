/**
 * The engine's HTTP client: one undici Client per VU and origin (k6 gives every VU its own connections), HTTP/1.1
 * keep-alive, and k6's timing breakdown of each request (blocked, connecting, tls_handshaking, sending, waiting,
 * receiving; duration = sending + waiting + receiving). Bytes on the wire come from the sockets' own counters, as
 * k6's data_sent/data_received do. It uses undici's low-level dispatch with a plain handler: no streams, no promise
 * per chunk, and the body is kept only when the flow needs it.
 */
import type { Socket } from 'node:net';
import { buildConnector, Client } from 'undici';

/** k6's timing breakdown of one request, milliseconds. */
export interface HttpTimings {
  /** Waiting for a connection, including connecting (k6 `http_req_blocked`). */
  blocked: number;
  /** TCP connect of a new connection made for this request, else 0. */
  connecting: number;
  /** TLS handshake of a new connection, else 0. */
  tlsHandshaking: number;
  /** Writing the request. */
  sending: number;
  /** Request written to first response byte (TTFB). */
  waiting: number;
  /** First to last response byte. */
  receiving: number;
  /** sending + waiting + receiving (k6 `http_req_duration`). */
  duration: number;
}

/** One request to make. */
export interface HttpRequest {
  /** `http://host:port`. */
  origin: string;
  /** Path with query string. */
  path: string;
  /** HTTP method. */
  method: string;
  /** Header name/value pairs, flattened: [name, value, name, value, ...]. */
  headers: string[];
  /** Request body, if any. */
  body?: string | Buffer;
  /** Give up after this many ms without headers or body data (k6 `timeout`, default 60 s). */
  timeoutMs: number;
  /** Keep the response body (for extract, body checks); otherwise only its size is counted. */
  keepBody: boolean;
}

/** What came back; `status` 0 when no response (connection refused, timeout, interrupted). */
export interface HttpResponse {
  /** HTTP status, or 0 for a network error. */
  status: number;
  /** Response body when {@link HttpRequest.keepBody}, else empty. */
  body: Buffer;
  /** Response body size in bytes (counted even when not kept). */
  bodySize: number;
  /** Timing breakdown, ms. */
  timings: HttpTimings;
  /** Network error message when status is 0. */
  error?: string;
  /** Monotonic time (performance.now(), ms) when the response ended or failed. */
  endedAt: number;
}

interface Tracked {
  socket: Socket;
  sent: number;
  received: number;
}

/**
 * The HTTP side of one VU: its own keep-alive connections (one Client per origin) and byte counters.
 * Not shared between VUs, like a k6 VU's transport.
 */
export class VuHttp {
  readonly #clients = new Map<string, Client>();
  readonly #sockets = new Set<Tracked>();
  #closedSent = 0;
  #closedReceived = 0;
  /** Connect time of the connection made for the request now in flight; reset per request. */
  #connectMs = 0;
  #abortCurrent: ((err: Error) => void) | undefined;
  #interrupted = false;

  #client(origin: string): Client {
    let c = this.#clients.get(origin);
    if (c) return c;
    const base = buildConnector({});
    c = new Client(origin, {
      pipelining: 1,
      keepAliveTimeout: 60_000,
      keepAliveMaxTimeout: 600_000,
      connect: (opts, cb) => {
        const t0 = performance.now();
        base(opts, (err, socket) => {
          this.#connectMs += performance.now() - t0;
          if (!err && socket) this.#track(socket as Socket);
          cb(err, socket as never);
        });
      },
    });
    this.#clients.set(origin, c);
    return c;
  }

  #track(socket: Socket): void {
    const t: Tracked = { socket, sent: 0, received: 0 };
    this.#sockets.add(t);
    socket.once('close', () => {
      this.#closedSent += socket.bytesWritten - t.sent;
      this.#closedReceived += socket.bytesRead - t.received;
      this.#sockets.delete(t);
    });
  }

  /**
   * Bytes written and read on this VU's sockets since the previous call (k6 counts data per iteration).
   * @returns bytes sent and received
   */
  takeBytes(): { sent: number; received: number } {
    let sent = this.#closedSent;
    let received = this.#closedReceived;
    this.#closedSent = 0;
    this.#closedReceived = 0;
    for (const t of this.#sockets) {
      sent += t.socket.bytesWritten - t.sent;
      received += t.socket.bytesRead - t.received;
      t.sent = t.socket.bytesWritten;
      t.received = t.socket.bytesRead;
    }
    return { sent, received };
  }

  /**
   * Sends one request and resolves when the response has ended or failed; never rejects (a network error is a
   * response with status 0, as in k6).
   * @param req the request
   * @returns status, body, timings
   */
  request(req: HttpRequest): Promise<HttpResponse> {
    this.#connectMs = 0;
    this.#interrupted = false;
    const promise = new Promise<HttpResponse>(captureResolve);
    const h = new RequestHandler(this, req, captured!);
    captured = undefined;
    try {
      this.#client(req.origin).dispatch(
        {
          origin: req.origin,
          path: req.path,
          method: req.method as 'GET',
          headers: req.headers,
          body: req.body ?? null,
          // The handler's own timer bounds the whole request, as k6's timeout does.
          headersTimeout: 0,
          bodyTimeout: 0,
        },
        h as never,
      );
    } catch (err) {
      h.onError(err as Error);
    }
    return promise;
  }

  /** @internal Called by the handler when the request got its connection. */
  connected(abort: ((err: Error) => void) | undefined): boolean {
    this.#abortCurrent = abort;
    return this.#interrupted;
  }

  /** @internal Connect time accumulated for the request in flight. */
  get connectMs(): number {
    return this.#connectMs;
  }

  /** Aborts the request in flight (graceful stop ran out); it resolves with status 0. */
  interrupt(): void {
    this.#interrupted = true;
    this.#abortCurrent?.(new Error('request interrupted'));
  }

  /** Closes every connection of this VU. */
  async close(): Promise<void> {
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.all(clients.map((c) => c.destroy().catch(() => {})));
  }
}

/**
 * undici's (legacy) dispatch handler for one request: a plain object with methods rather than closures, because this
 * runs once per request and closures cost allocations on the hot path.
 */
class RequestHandler {
  readonly #vu: VuHttp;
  readonly #req: HttpRequest;
  readonly #resolve: (r: HttpResponse) => void;
  readonly #timer: NodeJS.Timeout;
  readonly #t0 = performance.now();
  #tConnect: number;
  #tSent: number;
  #tFirst = 0;
  #status = 0;
  #size = 0;
  #chunks: Buffer[] | undefined;
  #abort: ((err: Error) => void) | undefined;
  #timedOut = false;
  #settled = false;

  constructor(vu: VuHttp, req: HttpRequest, resolve: (r: HttpResponse) => void) {
    this.#vu = vu;
    this.#req = req;
    this.#resolve = resolve;
    this.#tConnect = this.#t0;
    this.#tSent = this.#t0;
    this.#timer = setTimeout(RequestHandler.#onTimeout, req.timeoutMs, this);
  }

  static #onTimeout(h: RequestHandler): void {
    h.#timedOut = true;
    h.#abort?.(new Error(`request timeout after ${h.#req.timeoutMs}ms`));
  }

  onConnect(abort: (err: Error) => void): void {
    this.#tConnect = performance.now();
    this.#abort = abort;
    if (this.#vu.connected(abort)) abort(new Error('request interrupted'));
    else if (this.#timedOut) abort(new Error(`request timeout after ${this.#req.timeoutMs}ms`));
  }

  onRequestSent(): void {
    this.#tSent = performance.now();
  }

  onResponseStarted(): void {
    this.#tFirst = performance.now();
  }

  onHeaders(statusCode: number): boolean {
    this.#status = statusCode;
    if (this.#tFirst === 0) this.#tFirst = performance.now();
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.#size += chunk.length;
    if (this.#req.keepBody) (this.#chunks ??= []).push(chunk);
    return true;
  }

  onComplete(): void {
    this.#finish(undefined);
  }

  onError(err: Error): void {
    this.#finish(err.message || String(err));
  }

  #finish(error: string | undefined): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#timer);
    this.#vu.connected(undefined);
    const end = performance.now();
    const t0 = this.#t0;
    const tConnect = this.#tConnect;
    const tSent = this.#tSent < tConnect ? tConnect : this.#tSent;
    const tFirst = this.#tFirst === 0 ? end : this.#tFirst;
    const chunks = this.#chunks;
    const res: HttpResponse = {
      status: error === undefined ? this.#status : 0,
      body: chunks === undefined ? EMPTY : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
      bodySize: this.#size,
      timings: {
        blocked: tConnect - t0,
        connecting: Math.min(this.#vu.connectMs, tConnect - t0),
        tlsHandshaking: 0,
        sending: tSent - tConnect,
        waiting: tFirst - tSent,
        receiving: end - tFirst,
        duration: end - tConnect,
      },
      endedAt: end,
    };
    if (error !== undefined) res.error = error;
    this.#resolve(res);
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * A promise executor without a closure: it runs synchronously inside `new Promise`, so the resolver can be handed
 * over through a module variable. Saves one closure per request on the hot path.
 */
let captured: ((r: HttpResponse) => void) | undefined;
function captureResolve(resolve: (r: HttpResponse) => void): void {
  captured = resolve;
}
