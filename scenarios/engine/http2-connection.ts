/**
 * One HTTP/2 session of a VU to an https origin whose server chose `h2` by ALPN (tls-dial.ts), on node:http2. As in
 * k6, where every VU has its own Go transport: one session per VU and origin, reused across iterations, one stream
 * at a time because a VU makes one request at a time. k6's timing points of each exchange: request submitted and
 * its body taken (sending), response headers (waiting), end of the body (receiving). node:http2 writes a HEADERS
 * frame on its next write turn, so for a request without a body `sending` is the time to submit it and the write
 * itself falls in `waiting` (Go's WroteRequest fires after its flush: microseconds apart on a loop that is not
 * saturated). Bytes are counted on the TCP socket under TLS, so data_sent/data_received hold everything on the
 * wire (TLS records, HTTP/2 frames, HPACK, the connection preface, SETTINGS, WINDOW_UPDATE and PING frames), as k6
 * counts them on its connection: no approximation there.
 *
 * Why node:http2: it is Node's maintained binding of nghttp2, with the flow control, HPACK and GOAWAY/RST_STREAM
 * handling a load generator must get right; undici's HTTP/2 support is still experimental (`allowH2`) and its pool
 * is what the HTTP/1.1 path already found too costly per request (see vu-http.ts).
 *
 * Failures carry what k6 reports for Go's errors (error-codes.ts): a session that ends after the server's GOAWAY
 * (http2.GoAwayError, 1610+), a stream the server reset (http2.StreamError, 1630+), a session nghttp2 ended on a
 * protocol error it could name (http2.ConnectionError, 1650+). A stream the server refused (REFUSED_STREAM, or above
 * a GOAWAY's last stream id) is marked `refused`: Go's transport retries those on a new stream (up to 6 times, with
 * backoff from the second), the engine once, at once (vu-http.ts). What nghttp2 cannot tell node:http2: a protocol error
 * it detects in a frame mid-session (it sends its GOAWAY and stops reading, without an event), so such a request
 * ends at its timeout (1050) or when the server closes (`unexpected EOF`, 1000) where Go reports a ConnectionError;
 * a peer that is not HTTP/2 at all is reported (1652).
 */
import { connect as h2Connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import type { Socket } from 'node:net';
import { type Http2ErrorKind, http2ErrorOf, type NetErrorCause, netErrorCauseOf } from './error-codes.ts';
import type { Http1Exchange } from './http1-connection.ts';
import type { TlsDial } from './tls-dial.ts';

/** One exchange on a session: the HTTP/1.1 timing points, plus whether the server refused the stream unprocessed. */
export interface Http2Exchange extends Http1Exchange {
  /** The server did not process the stream (REFUSED_STREAM, or a GOAWAY below its id): safe to send again. */
  refused: boolean;
}

type Done = (x: Http2Exchange) => void;

/** Go's transport defaults (golang.org/x/net/http2 transport.go): 4 MiB per stream, 1 GiB per connection, no push. */
const STREAM_WINDOW = 4 << 20;
const CONNECTION_WINDOW = 1 << 30;

/**
 * nghttp2 library errors (Node's ERR_HTTP2_ERROR `errno`) that end a session, as the HTTP/2 error code Go's transport
 * names in its ConnectionError for the same fault.
 */
const NGHTTP2_LIB_ERRORS: ReadonlyMap<number, number> = new Map([
  [-505, constants.NGHTTP2_PROTOCOL_ERROR], // NGHTTP2_ERR_PROTO (also: the peer sent no SETTINGS, not an HTTP/2 server)
  [-506, constants.NGHTTP2_PROTOCOL_ERROR], // NGHTTP2_ERR_INVALID_FRAME
  [-536, constants.NGHTTP2_PROTOCOL_ERROR], // NGHTTP2_ERR_SETTINGS_EXPECTED
  [-522, constants.NGHTTP2_FRAME_SIZE_ERROR], // NGHTTP2_ERR_FRAME_SIZE_ERROR
  [-523, constants.NGHTTP2_COMPRESSION_ERROR], // NGHTTP2_ERR_HEADER_COMP
  [-524, constants.NGHTTP2_FLOW_CONTROL_ERROR], // NGHTTP2_ERR_FLOW_CONTROL
  [-904, constants.NGHTTP2_ENHANCE_YOUR_CALM], // NGHTTP2_ERR_FLOODED
]);

/** Go's errClientConnGotGoAway text: what a stream above a GOAWAY's last stream id fails with once not retried. */
const GOAWAY_REFUSED = "http2: Transport received Server's graceful shutdown GOAWAY";
/** Go's io.ErrUnexpectedEOF text: the session ended (no GOAWAY) before the response did. */
const UNEXPECTED_EOF = 'unexpected EOF';

const EMPTY = Buffer.alloc(0);

/** A session; create one per VU and origin, reuse it while {@link usable}. */
export class Http2Connection {
  readonly #session: ClientHttp2Session;
  readonly #raw: Socket;
  /** The server's GOAWAY: no new streams; its code and last stream id classify what fails after it. */
  #goaway: { code: number; last: number } | undefined;
  /** The session ended (closed, destroyed, or its socket failed). */
  #closed = false;
  /** Go's SetDoNotReuse: after a PROTOCOL_ERROR reset, no new stream goes on this session. */
  #doNotReuse = false;
  #stream: ClientHttp2Stream | undefined;
  #x: Http2Exchange | undefined;
  #keepHead = false;
  #done: Done | undefined;
  /** Kept body chunks of the exchange in flight (undefined when it keeps none). */
  #chunks: Buffer[] | undefined;
  #maxBody = Infinity;
  /** The first error the stream in flight emitted (its session's, when the session failed). */
  #streamError: Error | undefined;
  /** Exchanges completed on it; > 0 means a new request reuses it. */
  served = 0;

  /**
   * Starts HTTP/2 on a connection whose server chose `h2`.
   * @param tls the dial (its TLS socket is handed to node:http2 and must not be touched afterwards)
   * @param authority `https://host:port` of the origin
   */
  constructor(tls: TlsDial, authority: string) {
    const socket = tls.socket;
    this.#raw = tls.raw;
    const session = h2Connect(authority, {
      createConnection: () => socket,
      settings: { enablePush: false, initialWindowSize: STREAM_WINDOW },
    });
    session.once('connect', () => {
      try { session.setLocalWindowSize(CONNECTION_WINDOW); } catch { /* the session ended meanwhile */ }
    });
    session.on('goaway', (code: number, last: number) => {
      // Go keeps a non-zero code of an earlier GOAWAY (ClientConn.setGoAway).
      this.#goaway = this.#goaway !== undefined && this.#goaway.code !== 0 ? { code: this.#goaway.code, last } : { code, last };
    });
    session.on('error', () => { this.#closed = true; });
    session.on('close', () => {
      this.#closed = true;
      const stream = this.#stream;
      if (stream !== undefined && this.#x !== undefined) this.#failClosed(stream);
    });
    this.#session = session;
  }

  /** True when a new request may be sent on it (open, no GOAWAY, no stream in flight). */
  get usable(): boolean {
    return !this.#closed && this.#x === undefined && this.#goaway === undefined && !this.#doNotReuse && !this.#session.closed && !this.#session.destroyed;
  }

  /** Bytes written on this connection, on the wire. */
  get bytesWritten(): number {
    return this.#raw.bytesWritten;
  }

  /** Bytes read on this connection, on the wire. */
  get bytesRead(): number {
    return this.#raw.bytesRead;
  }

  /**
   * Sends one request on a new stream; `done` is called exactly once with the outcome (never throws).
   * @param headers pseudo-headers and header fields (names in lower case)
   * @param body the body, if any
   * @param keepBody keep the response body
   * @param done receives the exchange
   * @param maxBody most body bytes kept when keepBody (default no limit): past it the exchange fails, naming the
   *   cap, and its stream is reset (CANCEL, as Go does when a body is closed unread); the session stays
   * @param keepHead keep the response's header fields as lines (Http1Exchange.head); 3xx and Set-Cookie responses keep them anyway
   */
  send(headers: OutgoingHttpHeaders, body: Buffer | string | undefined, keepBody: boolean, done: Done, maxBody = Infinity, keepHead = false): void {
    const x: Http2Exchange = {
      status: 0, body: EMPTY, bodySize: 0, connectMs: 0, tReady: 0, tSent: 0, tFirst: 0, tEnd: 0, refused: false,
    };
    this.#x = x;
    this.#done = done;
    this.#keepHead = keepHead;
    this.#chunks = keepBody ? [] : undefined;
    this.#maxBody = keepBody ? maxBody : Infinity;
    this.#streamError = undefined;
    const empty = body === undefined || body.length === 0;
    const tReady = performance.now();
    let stream: ClientHttp2Stream;
    try {
      stream = this.#session.request(headers, { endStream: empty });
    } catch (err) {
      // Refused before anything was written (a header node:http2 rejects, a session that just ended).
      this.#fail((err as Error).message || String(err), netErrorCauseOf(err));
      return;
    }
    x.tReady = tReady;
    this.#stream = stream;
    stream.on('response', (h: IncomingHttpHeaders) => this.#onResponse(stream, h));
    stream.on('data', (chunk: Buffer) => this.#onData(stream, chunk));
    stream.on('end', () => this.#onEnd(stream));
    stream.on('error', (err: Error) => { if (this.#stream === stream) this.#streamError ??= err; });
    stream.on('close', () => this.#onClose(stream));
    if (empty) x.tSent = performance.now();
    // Sending ends when node:http2 has taken the whole body (flow control may hold it back).
    else stream.end(body, () => { if (this.#x === x && x.tSent === 0) x.tSent = performance.now(); });
  }

  /**
   * Fails the request in flight (timeout, interrupt) and resets its stream (CANCEL, as Go does when a request's
   * context ends); the session stays usable.
   * @param reason the error message the request gets
   */
  abort(reason: string): void {
    const stream = this.#stream;
    this.#fail(reason);
    if (stream !== undefined && !stream.closed && !stream.destroyed) stream.close(constants.NGHTTP2_CANCEL);
  }

  /** Closes the session and its connection now. */
  destroy(): void {
    this.#closed = true;
    this.#session.destroy();
    this.#raw.destroy();
  }

  #onResponse(stream: ClientHttp2Stream, h: IncomingHttpHeaders): void {
    const x = this.#x;
    if (this.#stream !== stream || x === undefined) return;
    x.status = Number(h[':status']);
    x.tFirst = performance.now();
    // The header fields as lines (the same mechanism as HTTP/1's parser): asked for, a redirect, or Set-Cookie.
    if (this.#keepHead || (x.status >= 300 && x.status < 400) || h['set-cookie'] !== undefined) x.head = headLines(h);
  }

  #onData(stream: ClientHttp2Stream, chunk: Buffer): void {
    const x = this.#x;
    if (this.#stream !== stream || x === undefined) return;
    x.bodySize += chunk.length;
    const chunks = this.#chunks;
    if (chunks === undefined) return;
    if (x.bodySize > this.#maxBody) {
      this.abort(`response body over ${this.#maxBody} bytes, the cap on bodies kept for extract and body checks (options.caplabMaxBodyBytes)`);
      return;
    }
    chunks.push(chunk);
  }

  #onEnd(stream: ClientHttp2Stream): void {
    const x = this.#x;
    if (this.#stream !== stream || x === undefined) return;
    // A stream reset or ended with its session also ends its readable side: those are settled on 'close'.
    if (x.status === 0 || stream.rstCode !== constants.NGHTTP2_NO_ERROR || this.#session.destroyed) return;
    const chunks = this.#chunks;
    x.body = chunks === undefined || chunks.length === 0 ? EMPTY : Buffer.concat(chunks, x.bodySize);
    x.tEnd = performance.now();
    if (x.tSent === 0) x.tSent = x.tEnd;
    const done = this.#done!;
    this.#reset();
    this.served++;
    done(x);
  }

  #onClose(stream: ClientHttp2Stream): void {
    if (this.#stream === stream && this.#x !== undefined) this.#failClosed(stream);
  }

  /** The stream closed before its response ended: k6's reading of why (see the module comment). */
  #failClosed(stream: ClientHttp2Stream): void {
    const err = this.#streamError;
    const code = stream.rstCode;
    const goaway = this.#goaway;
    const gone = this.#closed || this.#session.destroyed;
    if (goaway !== undefined && (stream.id === undefined || stream.id > goaway.last)) {
      this.#fail(GOAWAY_REFUSED, undefined, true);
    } else if (goaway !== undefined && gone) {
      this.#failHttp2('goaway', goaway.code);
    } else if (!gone) {
      // The server reset the stream (or nghttp2 did, on a malformed response): Go's StreamError.
      if (code === constants.NGHTTP2_PROTOCOL_ERROR) this.#doNotReuse = true;
      this.#failHttp2('stream', code, code === constants.NGHTTP2_REFUSED_STREAM);
    } else {
      this.#failSession(err);
    }
  }

  /** The session ended under the stream without a GOAWAY: a socket error, an nghttp2 error, or the server closing. */
  #failSession(err: Error | undefined): void {
    const cause = err === undefined ? undefined : netErrorCauseOf(err);
    if (cause?.code === 'ERR_HTTP2_ERROR' && cause.errno !== undefined) {
      const h2 = NGHTTP2_LIB_ERRORS.get(cause.errno);
      if (h2 !== undefined) {
        this.#failHttp2('connection', h2);
        return;
      }
    }
    if (err !== undefined && cause?.code !== undefined && /^E[A-Z0-9]+$/.test(cause.code)) {
      this.#fail(err.message, cause);
      return;
    }
    this.#fail(err?.message ?? UNEXPECTED_EOF, err === undefined ? undefined : cause);
  }

  /** Fails with Go's HTTP/2 error (k6's message; the kind and code travel in the cause for k6's error_code). */
  #failHttp2(kind: Http2ErrorKind, code: number, refused = false): void {
    this.#fail(http2ErrorOf(kind, code).message, { http2: { kind, code } }, refused);
  }

  #reset(): void {
    this.#x = undefined;
    this.#done = undefined;
    this.#stream = undefined;
    this.#chunks = undefined;
    this.#streamError = undefined;
  }

  #fail(message: string, cause?: NetErrorCause, refused = false): void {
    const done = this.#done;
    const x = this.#x;
    if (done === undefined || x === undefined) return;
    this.#reset();
    x.status = 0;
    x.tEnd = performance.now();
    x.error = message;
    x.refused = refused;
    if (cause !== undefined) x.errorCause = cause;
    done(x);
  }
}

/** HTTP/2 response header fields as HTTP/1 header lines (pseudo-headers left out), as Http1Exchange.head has them. */
function headLines(h: IncomingHttpHeaders): string {
  const lines: string[] = [];
  for (const [name, v] of Object.entries(h)) {
    if (name.startsWith(':') || v === undefined) continue;
    for (const value of Array.isArray(v) ? v : [v]) lines.push(`${name}: ${value}`);
  }
  return lines.join('\r\n');
}
