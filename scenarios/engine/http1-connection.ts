/**
 * One keep-alive HTTP/1.1 connection of a VU (plain TCP, or TLS dialed by tls-dial.ts when the server did not choose
 * h2), one request at a time as a k6 VU makes them, with
 * k6's timing points: connection obtained (blocked, connecting, tls_handshaking), request written (sending), first
 * response byte (waiting) and last byte (receiving). Plain TCP sockets read into one buffer shared by every
 * connection of the process (`onread`), so reading a response allocates nothing but what the flow keeps.
 */
import { type LookupFunction, connect as netConnect, type Socket } from 'node:net';
import { timedLookup } from './timed-lookup.ts';
import type { SecureContext } from 'node:tls';
import { type NetErrorCause, netErrorCauseOf } from './error-codes.ts';
import { Http1ResponseParser } from './http1-parser.ts';
import type { TlsDial } from './tls-dial.ts';

/** Where a connection goes, parsed once per origin. */
export interface Http1Target {
  /** Host name or address. */
  host: string;
  /** TCP port. */
  port: number;
  /** https: TLS with SNI = host (no SNI for an IP address, whose certificate is checked against its IP SANs). */
  secure: boolean;
  /** Accept any server certificate (k6 `insecureSkipTLSVerify`); default false. */
  insecureSkipTLSVerify?: boolean;
  /** The Host header value (host, plus the port when it is not the scheme's default). */
  hostHeader: string;
  /** Where to connect instead of looking `host` up (k6 `hosts`); Host header, SNI and certificate check keep `host`. */
  address?: { host: string; port: number };
  /** TLS settings of this host (k6 tlsVersion, tlsCipherSuites, tlsAuth); default Node's. */
  secureContext?: SecureContext;
}

/** Timing points of one exchange, performance.now() ms; 0 when the point was not reached. */
export interface Http1Exchange {
  /** Status (0 when no response). */
  status: number;
  /** Body when kept. */
  body: Buffer;
  /** Body size in bytes. */
  bodySize: number;
  /** TCP connect time of a plain connection made for this exchange, ms (else 0; a TlsDial reports its own). */
  connectMs: number;
  /** When the connection was ready and writing began; 0 when no connection was obtained (nothing was written). */
  tReady: number;
  /** When the request was written; 0 when nothing was written. */
  tSent: number;
  /** First response byte; 0 when none arrived (a stale keep-alive connection: the caller may replay the request). */
  tFirst: number;
  /** Last byte, or the failure. */
  tEnd: number;
  /** Failure message when status is 0. */
  error?: string;
  /**
   * Response header lines (`Name: value`, CRLF-separated) when asked for, and of every 3xx response and every response
   * with a Set-Cookie (vu-http.ts reads the cookies from them for the VU's jar).
   */
  head?: string;
  /** What Node's Error said besides its message, when a socket failed (for k6's error_code). */
  errorCause?: NetErrorCause;
}

type Done = (x: Http1Exchange) => void;

// One read buffer for every plain connection: onread callbacks run to completion one at a time, and the parser copies
// whatever it keeps before returning.
const SHARED_READ = Buffer.allocUnsafe(64 * 1024);

/** A connection; create one per VU and origin, reuse it while {@link usable}. */
export class Http1Connection {
  readonly #socket: Socket;
  readonly #parser = new Http1ResponseParser();
  #connected = false;
  #closed = false;
  #done: Done | undefined;
  #x: Http1Exchange | undefined;
  #head = '';
  #body: Buffer | string | undefined;
  /** The TCP socket under TLS (undefined for plain connections). */
  readonly #raw: Socket | undefined;
  /** Bytes read on a plain connection (with onread, Socket#bytesRead is not kept). */
  #read = 0;
  /** Name lookup time: part of blocked but not of connecting, as in k6 (0 for an IP address, which needs none). */
  #dnsMs = 0;
  readonly #lookup: LookupFunction = timedLookup((ms) => {
    this.#dnsMs = ms;
  });
  readonly #onWritten = (): void => { if (this.#x !== undefined) this.#x.tSent = performance.now(); };
  /** Most body bytes the exchange in flight keeps (Infinity when it keeps none). */
  #maxBody = Infinity;
  /** Exchanges completed on it; > 0 means a new request reuses it. */
  served = 0;

  /**
   * Opens the connection (asynchronously; a request can be sent at once and is written when it is up), or takes over
   * an https connection already made by a {@link TlsDial} whose server chose HTTP/1.1.
   * @param target where to connect
   * @param tls the dialed TLS connection of an https target (required for one)
   * @throws {Error} for an https target without its dialed connection
   */
  constructor(target: Http1Target, tls?: TlsDial) {
    if (tls !== undefined) {
      const s = tls.socket;
      s.on('data', (b: Buffer) => this.#onData(b, 0, b.length));
      this.#raw = tls.raw;
      this.#socket = s;
      this.#connected = true;
    } else if (target.secure) {
      throw new Error(`Http1Connection: https target ${target.hostHeader} without its TlsDial`);
    } else {
      const t0 = performance.now();
      const onread = { buffer: SHARED_READ, callback: (n: number, buf: Buffer): boolean => { this.#onData(buf, 0, n); return true; } };
      const to = target.address ?? target;
      const s = netConnect({ host: to.host, port: to.port, noDelay: true, onread, lookup: this.#lookup });
      s.once('connect', () => this.#onConnected(performance.now() - t0 - this.#dnsMs));
      this.#socket = s;
    }
    // An error destroys the socket, but 'close' comes later: mark it closed now, or a retry made from the failure
    // callback would be sent on this dead connection.
    this.#socket.on('error', (err) => { this.#closed = true; this.#fail(err.message || String(err), netErrorCauseOf(err)); });
    this.#socket.on('end', () => this.#onEnd());
    this.#socket.on('close', () => { this.#closed = true; this.#fail('server closed the connection before the response ended'); });
  }

  /** True when a new request may be sent on it (open, idle, keep-alive). */
  get usable(): boolean {
    return !this.#closed && this.#done === undefined;
  }

  /** Bytes written on this connection, on the wire. */
  get bytesWritten(): number {
    return (this.#raw ?? this.#socket).bytesWritten;
  }

  /** Bytes read on this connection, on the wire. */
  get bytesRead(): number {
    return this.#raw === undefined ? this.#read : this.#raw.bytesRead;
  }

  /**
   * Sends one request; `done` is called exactly once with the outcome (never throws).
   * @param head the request head, ending with the blank line
   * @param body the body, if any
   * @param keepBody keep the response body
   * @param headRequest the method is HEAD
   * @param t0 when the request started (performance.now() ms), for blocked time
   * @param done receives the exchange
   * @param maxBody most body bytes kept when keepBody (default no limit): past it the exchange fails, naming the cap
   * @param keepHead keep the response's header lines (Http1Exchange.head); 3xx and Set-Cookie responses keep them anyway
   */
  send(head: string, body: Buffer | string | undefined, keepBody: boolean, headRequest: boolean, t0: number, done: Done, maxBody = Infinity, keepHead = false): void {
    const x: Http1Exchange = {
      status: 0, body: EMPTY, bodySize: 0, connectMs: 0, tReady: 0, tSent: 0, tFirst: 0, tEnd: 0,
    };
    this.#x = x;
    this.#done = done;
    this.#head = head;
    this.#body = body;
    this.#parser.reset(keepBody, headRequest, keepHead);
    this.#maxBody = keepBody ? maxBody : Infinity;
    if (this.#connected) this.#write();
  }

  #write(): void {
    const x = this.#x;
    if (x === undefined) return;
    const s = this.#socket;
    const head = this.#head;
    const body = this.#body;
    this.#body = undefined;
    x.tReady = performance.now();
    // UTF-8 throughout, as Go's (k6's) client writes header values; cork makes head and body one write.
    if (body === undefined || body.length === 0) s.write(head);
    else if (body.length <= LARGE_BODY) { s.cork(); s.write(head); s.write(body); s.uncork(); }
    else {
      // A large body outlasts the synchronous write: sending ends when the socket has taken all of it.
      s.cork(); s.write(head); s.write(body, this.#onWritten); s.uncork();
      return;
    }
    x.tSent = performance.now();
  }

  /**
   * Fails the request in flight (timeout, interrupt) and closes the connection.
   * @param reason the error message the request gets
   */
  abort(reason: string): void {
    this.#fail(reason);
    this.destroy();
  }

  /** Closes the connection now. */
  destroy(): void {
    this.#closed = true;
    this.#socket.destroy();
    this.#raw?.destroy();
  }

  #onConnected(connectMs: number): void {
    this.#connected = true;
    const x = this.#x;
    if (x !== undefined && this.#done !== undefined) x.connectMs = connectMs;
    if (this.#done !== undefined) this.#write();
  }

  #onData(buf: Buffer, start: number, end: number): void {
    this.#read += end - start;
    const x = this.#x;
    if (x === undefined || this.#done === undefined) {
      // Bytes nobody asked for: the connection cannot be trusted any more.
      this.destroy();
      return;
    }
    if (x.tFirst === 0) x.tFirst = performance.now();
    let at: number;
    try {
      at = this.#parser.feed(buf, start, end);
    } catch (err) {
      this.#fail(`malformed HTTP response: ${(err as Error).message}`);
      this.destroy();
      return;
    }
    if (this.#parser.bodySize > this.#maxBody) {
      // Checked per read: at most one read (64 kB) is kept past the cap before the body is dropped.
      this.#fail(`response body over ${this.#maxBody} bytes, the cap on bodies kept for extract and body checks (options.caplabMaxBodyBytes)`);
      this.destroy();
      return;
    }
    if (at < 0) return;
    const keep = this.#parser.keepAlive && at === end;
    this.#complete();
    if (!keep) this.destroy();
  }

  #onEnd(): void {
    if (this.#done !== undefined && this.#parser.eof()) this.#complete();
    this.destroy();
  }

  #complete(): void {
    const x = this.#x!;
    const done = this.#done!;
    const p = this.#parser;
    x.status = p.status;
    if (p.head !== undefined) x.head = p.head;
    x.body = p.takeBody();
    x.bodySize = p.bodySize;
    x.tEnd = performance.now();
    this.#done = undefined;
    this.#x = undefined;
    this.served++;
    done(x);
  }

  #fail(message: string, cause?: NetErrorCause): void {
    const done = this.#done;
    const x = this.#x;
    if (done === undefined || x === undefined) return;
    this.#done = undefined;
    this.#x = undefined;
    this.#body = undefined;
    x.status = 0;
    x.bodySize = this.#parser.bodySize;
    this.#parser.takeBody();
    x.tEnd = performance.now();
    x.error = message;
    if (cause !== undefined) x.errorCause = cause;
    done(x);
  }
}

const EMPTY = Buffer.alloc(0);
/** Bodies up to this size are written in one go; the socket's write callback times larger ones. */
const LARGE_BODY = 64 * 1024;
