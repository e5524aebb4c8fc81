/**
 * The engine's HTTP client: one keep-alive connection per VU and origin, as k6 gives every VU its own transport, and
 * k6's timing breakdown of each request (http-response.ts). Bytes on the wire are counted per connection, as k6's
 * data_sent/data_received are.
 *
 * The protocol is chosen as Go's transport (k6) chooses it: an https origin's connection offers h2 and http/1.1 by
 * ALPN (tls-dial.ts) and speaks HTTP/2 when the server picks h2 (http2-connection.ts: one session per VU and origin,
 * one stream at a time), HTTP/1.1 otherwise; plain http is HTTP/1.1 (k6 does not speak h2c). Responses say which
 * (`proto`, k6's tag: `HTTP/2.0` or `HTTP/1.1`).
 *
 * Why not undici: its Client alone costs more CPU per request than autocannon's whole loop on this machine (an
 * extra event-loop turn before reusing an idle socket and after each response), so a generator built on it
 * saturates before the system under test. A VU makes one request at a time on its own connection, which needs
 * none of undici's pooling or pipelining; see http1-connection.ts.
 */
import type { OutgoingHttpHeaders } from 'node:http2';
import type { SecureContext } from 'node:tls';
import type { NetErrorCause } from './error-codes.ts';
import { headerValues } from './headers.ts';
import { h2Headers, type HttpRequest, requestHead } from './http-request.ts';
import { type HttpProto, type HttpResponse, unconnected } from './http-response.ts';
import { Http1Connection, type Http1Exchange, type Http1Target } from './http1-connection.ts';
import { Http2Connection, type Http2Exchange } from './http2-connection.ts';
import { targetOf } from './origin-target.ts';
import { TlsDial } from './tls-dial.ts';

/** What counts bytes on the wire: a connection, or a TLS dial that failed. */
interface ByteSource {
  readonly bytesWritten: number;
  readonly bytesRead: number;
}

/** A connection of the VU (or a failed dial) and the byte counts already reported for it. */
interface Held<C extends ByteSource = Http1Connection | Http2Connection> {
  conn: C;
  sent: number;
  received: number;
}

/** Methods Go's transport (k6) replays on a new connection when a reused one died unanswered (isReplayable). */
const REPLAYABLE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** Transport options of a VU, k6's names (engine/transport.ts makes them from a spec's options). */
export interface VuHttpOptions {
  /** Accept any TLS certificate, whoever signed it and whatever host it names (k6 `insecureSkipTLSVerify`, default false). */
  insecureSkipTLSVerify?: boolean;
  /**
   * k6 `hosts`: where to connect for a URL's host name and port instead of looking the name up (undefined: look it
   * up). The Host header (`:authority`), SNI and the certificate check keep the URL's name.
   */
  resolveHost?(host: string, port: number): { host: string; port: number } | undefined;
  /** The TLS settings of a host name (k6 `tlsVersion`, `tlsCipherSuites`, and the `tlsAuth` certificate it gets); undefined: Node's defaults. */
  secureContextFor?(host: string): SecureContext | undefined;
  /** k6 `noConnectionReuse`: one request per connection (HTTP/1.1 sends `Connection: close`), as Go's DisableKeepAlives. */
  noConnectionReuse?: boolean;
  /** k6 `noVUConnectionReuse`: the VU's connections are closed when an iteration ends ({@link VuHttp.endIteration}). */
  noVUConnectionReuse?: boolean;
}

/**
 * The HTTP side of one VU: its own keep-alive connections (one per origin) and byte counters.
 * Not shared between VUs, like a k6 VU's transport.
 */
export class VuHttp {
  readonly #insecure: boolean;
  readonly #options: VuHttpOptions;
  readonly #noReuse: boolean;
  /** Targets with this VU's `hosts` and TLS settings applied, by origin (only when it has any). */
  readonly #targets: Map<string, Http1Target> | undefined;
  readonly #held = new Map<string, Held>();
  /** Connections replaced or closed (and dials failed) since the last {@link takeBytes}, still to be counted. */
  #retired: Held<ByteSource>[] = [];
  #current: Held | undefined;
  /** The TLS dial of the request in flight, until it connects or fails. */
  #dialing: TlsDial | undefined;
  #req: HttpRequest | undefined;
  #resolve: ((r: HttpResponse) => void) | undefined;
  #t0 = 0;
  #reused = false;
  #retried = false;
  #connectMs = 0;
  #tlsMs = 0;
  #deadline = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = 0;
  #timedOut = false;
  #interrupted = false;
  #closed = false;
  readonly #onDone = (x: Http1Exchange): void => this.#done(x);
  readonly #onDone2 = (x: Http2Exchange): void => this.#done2(x);
  readonly #onDialed = (d: TlsDial): void => this.#dialed(d);
  readonly #onTimer = (): void => this.#checkTimeout();

  /** @param options transport options (k6's `insecureSkipTLSVerify`, `hosts`, TLS settings, connection reuse) */
  constructor(options: VuHttpOptions = {}) {
    this.#insecure = options.insecureSkipTLSVerify === true;
    this.#options = options;
    this.#noReuse = options.noConnectionReuse === true;
    this.#targets = options.resolveHost !== undefined || options.secureContextFor !== undefined ? new Map() : undefined;
  }

  /** The origin's target, with k6's `hosts` address and the host's TLS settings when this VU has any. */
  #targetOf(origin: string): Http1Target {
    const cache = this.#targets;
    if (cache === undefined) return targetOf(origin);
    let t = cache.get(origin);
    if (t !== undefined) return t;
    const base = targetOf(origin);
    const address = this.#options.resolveHost?.(base.host, base.port);
    const secureContext = base.secure ? this.#options.secureContextFor?.(base.host) : undefined;
    t = { ...base, ...(address !== undefined ? { address } : {}), ...(secureContext !== undefined ? { secureContext } : {}) };
    cache.set(origin, t);
    return t;
  }

  /**
   * Ends an iteration of the VU: with k6's `noVUConnectionReuse` its connections are closed (k6 closes the
   * transport's idle connections after each iteration), so the next iteration connects anew.
   */
  endIteration(): void {
    if (this.#options.noVUConnectionReuse !== true) return;
    for (const h of this.#held.values()) { h.conn.destroy(); this.#retired.push(h); }
    this.#held.clear();
  }

  /** Whether any TLS certificate is accepted (k6 `insecureSkipTLSVerify`). */
  get insecure(): boolean { return this.#insecure; }

  /** Counts, once it is done, the bytes of a connection the VU opened outside HTTP (a WebSocket session: `source`). */
  countBytes(source: ByteSource): void { this.#retired.push({ conn: source, sent: 0, received: 0 }); }

  /**
   * Bytes written and read on this VU's connections since the previous call (k6 counts data per iteration).
   * @returns bytes sent and received
   */
  takeBytes(): { sent: number; received: number } {
    let sent = 0;
    let received = 0;
    for (const h of this.#held.values()) {
      const w = h.conn.bytesWritten;
      const r = h.conn.bytesRead;
      sent += w - h.sent;
      received += r - h.received;
      h.sent = w;
      h.received = r;
    }
    if (this.#retired.length > 0) {
      // Counted in full once: a retired connection is not seen again.
      for (const h of this.#retired) {
        sent += h.conn.bytesWritten - h.sent;
        received += h.conn.bytesRead - h.received;
      }
      this.#retired = [];
    }
    return { sent, received };
  }

  /**
   * Sends one request and resolves when the response has ended or failed; never rejects (a network error is a
   * response with status 0, as in k6). A request that meets a keep-alive connection the server has just closed is
   * retried once on a new connection when its method is idempotent, as Go's transport (k6) does.
   * @param req the request
   * @returns status, body, timings
   */
  request(req: HttpRequest): Promise<HttpResponse> {
    const promise = new Promise<HttpResponse>(captureResolve);
    this.#resolve = captured;
    captured = undefined;
    this.#req = req;
    this.#t0 = performance.now();
    this.#interrupted = false;
    this.#timedOut = false;
    this.#retried = false;
    this.#connectMs = 0;
    this.#tlsMs = 0;
    this.#deadline = this.#t0 + req.timeoutMs;
    if (this.#timer === undefined || this.#timerAt > this.#deadline + 1) this.#arm(req.timeoutMs);
    this.#send(req);
    return promise;
  }

  #send(req: HttpRequest): void {
    let target: Http1Target;
    let head: string;
    if (this.#closed) {
      this.#settle(unconnected(this.#t0, performance.now(), 'request after the VU closed its connections', 0, 0));
      return;
    }
    let h = this.#held.get(req.origin);
    try {
      target = this.#targetOf(req.origin);
      if (h !== undefined && h.conn instanceof Http2Connection && h.conn.usable) {
        this.#sendH2(h as Held<Http2Connection>, req, target);
        return;
      }
      head = requestHead(req, target, this.#noReuse);
    } catch (err) {
      this.#settle(unconnected(this.#t0, performance.now(), (err as Error).message, 0, 0));
      return;
    }
    if (h === undefined || !h.conn.usable) {
      if (h !== undefined) { this.#retired.push(h); this.#held.delete(req.origin); }
      if (target.secure) {
        // Which protocol is known after the handshake: see #dialed.
        this.#current = undefined;
        this.#dialing = new TlsDial(this.#insecure ? { ...target, insecureSkipTLSVerify: true } : target, this.#onDialed);
        return;
      }
      h = { conn: new Http1Connection(target), sent: 0, received: 0 };
      this.#held.set(req.origin, h);
    }
    const conn = h.conn as Http1Connection;
    this.#current = h;
    this.#reused = conn.served > 0;
    conn.send(head, req.body, req.keepBody, req.method === 'HEAD', this.#t0, this.#onDone, req.maxBodyBytes, req.keepHeaders);
  }

  /** A new https connection is up (or failed): HTTP/2 when the server chose h2, else HTTP/1.1, as Go's transport does. */
  #dialed(d: TlsDial): void {
    this.#dialing = undefined;
    this.#connectMs += d.connectMs;
    this.#tlsMs += d.tlsMs;
    const req = this.#req;
    if (d.error !== undefined || req === undefined) {
      this.#retired.push({ conn: d, sent: 0, received: 0 });
      if (req !== undefined) {
        const cause = this.#timedOut || this.#interrupted ? undefined : d.errorCause;
        this.#settle(unconnected(this.#t0, d.tEnd, this.#messageOf(d.error), this.#connectMs, this.#tlsMs, cause));
      } else { d.socket.destroy(); d.raw.destroy(); }
      return;
    }
    const target = this.#targetOf(req.origin);
    if (d.protocol === 'h2') {
      const h: Held<Http2Connection> = { conn: new Http2Connection(d, req.origin), sent: 0, received: 0 };
      this.#held.set(req.origin, h);
      this.#sendH2(h, req, target);
      return;
    }
    const h: Held<Http1Connection> = { conn: new Http1Connection(target, d), sent: 0, received: 0 };
    this.#held.set(req.origin, h);
    this.#current = h;
    this.#reused = false;
    // The head was checked before dialing: it renders.
    h.conn.send(requestHead(req, target, this.#noReuse), req.body, req.keepBody, req.method === 'HEAD', this.#t0, this.#onDone, req.maxBodyBytes, req.keepHeaders);
  }

  #sendH2(h: Held<Http2Connection>, req: HttpRequest, target: Http1Target): void {
    let headers: OutgoingHttpHeaders;
    try {
      headers = h2Headers(req, target);
    } catch (err) {
      this.#settle(unconnected(this.#t0, performance.now(), (err as Error).message, 0, 0));
      return;
    }
    this.#current = h;
    this.#reused = h.conn.served > 0;
    h.conn.send(headers, req.body, req.keepBody, this.#onDone2, req.maxBodyBytes, req.keepHeaders);
  }

  #done(x: Http1Exchange): void {
    const req = this.#req!;
    this.#connectMs += x.connectMs;
    if (x.status === 0 && x.tFirst === 0 && this.#reused && !this.#retried && !this.#interrupted && !this.#timedOut && !this.#closed && REPLAYABLE.has(req.method)) {
      this.#retried = true;
      this.#send(req);
      return;
    }
    this.#finish(x, 'HTTP/1.1');
  }

  /** An HTTP/2 exchange ended: a stream the server refused unprocessed is sent once more, as Go's transport does. */
  #done2(x: Http2Exchange): void {
    if (x.refused && !this.#retried && !this.#interrupted && !this.#timedOut && !this.#closed) {
      this.#retried = true;
      this.#send(this.#req!);
      return;
    }
    this.#finish(x, 'HTTP/2.0');
  }

  #finish(x: Http1Exchange, proto: HttpProto): void {
    // k6 noConnectionReuse (Go's DisableKeepAlives): the connection serves one request, HTTP/1.1 and HTTP/2 alike.
    if (this.#noReuse) this.#retireCurrent();
    const t0 = this.#t0;
    const ready = x.tReady;
    if (ready === 0) {
      this.#settle(unconnected(t0, x.tEnd, this.#errorOf(x), this.#connectMs, this.#tlsMs, this.#causeOf(x)));
      return;
    }
    const sent = x.tSent === 0 ? x.tEnd : x.tSent;
    const first = x.tFirst === 0 ? x.tEnd : Math.max(x.tFirst, sent);
    const res: HttpResponse = {
      status: x.status,
      body: x.body,
      bodySize: x.bodySize,
      timings: {
        blocked: ready - t0,
        connecting: Math.min(this.#connectMs, ready - t0),
        tlsHandshaking: Math.min(this.#tlsMs, ready - t0),
        sending: sent - ready,
        waiting: first - sent,
        receiving: x.tEnd - first,
        duration: x.tEnd - ready,
      },
      endedAt: x.tEnd,
      proto,
    };
    if (x.head !== undefined) {
      res.head = x.head;
      // The cookie jar's Set-Cookie values come from the same kept lines (a response that failed stores none).
      if (x.status !== 0) {
        const cookies = headerValues(x.head, 'set-cookie');
        if (cookies.length > 0) res.setCookies = cookies;
      }
    }
    if (x.status === 0) {
      res.error = this.#errorOf(x);
      const cause = this.#causeOf(x);
      if (cause !== undefined) res.errorCause = cause;
    }
    this.#settle(res);
  }

  /** The socket's error details, unless the engine itself ended the request (timeout, interrupt). */
  #causeOf(x: Http1Exchange): NetErrorCause | undefined {
    return this.#timedOut || this.#interrupted ? undefined : x.errorCause;
  }

  #errorOf(x: Http1Exchange): string | undefined {
    return this.#messageOf(x.error);
  }

  #messageOf(error: string | undefined): string | undefined {
    return this.#timedOut ? `request timeout after ${this.#req!.timeoutMs}ms` : this.#interrupted ? 'request interrupted' : error;
  }

  /** Closes the connection of the request in flight and stops holding it (its bytes are still counted). */
  #retireCurrent(): void {
    const h = this.#current;
    if (h === undefined) return;
    h.conn.destroy();
    for (const [origin, held] of this.#held) if (held === h) { this.#held.delete(origin); break; }
    this.#retired.push(h);
  }

  #settle(res: HttpResponse): void {
    const resolve = this.#resolve;
    this.#resolve = undefined;
    this.#req = undefined;
    this.#current = undefined;
    resolve?.(res);
  }

  #arm(ms: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = performance.now() + ms;
    this.#timer = setTimeout(this.#onTimer, ms).unref();
  }

  /** One timer per VU, re-armed only when it fires: no timer calls per request in the steady state. */
  #checkTimeout(): void {
    this.#timer = undefined;
    if (this.#resolve === undefined) return;
    const left = this.#deadline - performance.now();
    if (left > 0) {
      this.#arm(left);
      return;
    }
    this.#timedOut = true;
    this.#current?.conn.abort('request timeout');
    this.#dialing?.abort('request timeout');
  }

  /** Aborts the request in flight (graceful stop ran out); it resolves with status 0. */
  interrupt(): void {
    this.#interrupted = true;
    this.#current?.conn.abort('request interrupted');
    this.#dialing?.abort('request interrupted');
  }

  /** Whether this VU holds a connection, or one still to count (a VU that never sent a request holds none). */
  get hasConnections(): boolean {
    return this.#held.size > 0 || this.#retired.length > 0 || this.#dialing !== undefined;
  }

  /** Closes every connection of this VU. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) { clearTimeout(this.#timer); this.#timer = undefined; }
    this.#dialing?.abort('the VU closed its connections');
    for (const h of this.#held.values()) { h.conn.destroy(); this.#retired.push(h); }
    this.#held.clear();
  }
}

/**
 * A promise executor without a closure: it runs synchronously inside `new Promise`, so the resolver can be handed
 * over through a module variable. Saves one closure per request on the hot path.
 */
let captured: ((r: HttpResponse) => void) | undefined;
function captureResolve(resolve: (r: HttpResponse) => void): void {
  captured = resolve;
}
