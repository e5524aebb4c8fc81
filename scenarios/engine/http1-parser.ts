/**
 * An incremental HTTP/1.x response parser for the engine's per-VU connections (RFC 9112): status line, the three
 * headers that frame a message (Content-Length, Transfer-Encoding, Connection), and the body by length, by chunks
 * or until the connection closes. 1xx interim responses are skipped. It reads from a caller's buffer that may be
 * reused after each call (the connection reads into one shared buffer), so any bytes kept are copied.
 *
 * Why not a library: undici's parser is internal, and http-parser-js (autocannon's) turns every header into a
 * string; a load generator only needs the framing, and this pass over the bytes costs a fraction of either.
 */

const CR = 0x0d;
const LF = 0x0a;
const HEAD_MAX = 64 * 1024;
const CHUNK_LINE_MAX = 4 * 1024;
/** Pre-allocate a kept body up to this size from Content-Length; larger bodies are gathered chunk by chunk. */
const PREALLOC_MAX = 8 * 1024 * 1024;

const HEAD = 0;
const FIXED = 1;
const CHUNK_SIZE = 2;
const CHUNK_DATA = 3;
const CHUNK_END = 4;
const TRAILERS = 5;
const UNTIL_CLOSE = 6;
const DONE = 7;

/** A response that breaks HTTP/1.1 framing; the connection cannot be reused after it. */
export class HttpParseError extends Error {
  override name = 'HttpParseError';
}

/** Parses one response at a time; {@link reset} before each request. */
export class Http1ResponseParser {
  /** Final status code (after any 1xx), 0 until the head is parsed. */
  status = 0;
  /** False when the server asked to close (or the body is delimited by the close). */
  keepAlive = true;
  /** Body bytes seen so far (after de-chunking). */
  bodySize = 0;
  /** The final response's Set-Cookie values (latin1), in order, for the VU's cookie jar; undefined when none. */
  setCookies: string[] | undefined;
  #state = DONE;
  #keepBody = false;
  #noBody = false;
  /** Bytes of an incomplete head or chunk-size/trailer line carried over from the previous read. */
  #pending: Buffer | undefined;
  #remaining = 0;
  #body: Buffer | undefined;
  #bodyAt = 0;
  #chunks: Buffer[] | undefined;

  /**
   * Prepares for the response to a new request.
   * @param keepBody copy the body so {@link body} returns it
   * @param headRequest the request was HEAD (a response has no body whatever its headers say)
   */
  reset(keepBody: boolean, headRequest: boolean): void {
    this.status = 0;
    this.keepAlive = true;
    this.bodySize = 0;
    this.setCookies = undefined;
    this.#state = HEAD;
    this.#keepBody = keepBody;
    this.#noBody = headRequest;
    this.#pending = undefined;
    this.#remaining = 0;
    this.#body = undefined;
    this.#bodyAt = 0;
    this.#chunks = undefined;
  }

  /** True once the whole response has been read. */
  get done(): boolean {
    return this.#state === DONE;
  }

  /** True when the head has been read and the body runs until the connection closes. */
  get untilClose(): boolean {
    return this.#state === UNTIL_CLOSE;
  }

  /**
   * Hands over the kept body (empty when not kept or none) and lets go of it, so an idle connection holds no body.
   * @returns the body bytes
   */
  takeBody(): Buffer {
    const b = this.#body;
    const c = this.#chunks;
    this.#body = undefined;
    this.#chunks = undefined;
    if (b !== undefined) return this.#bodyAt === b.length ? b : b.subarray(0, this.#bodyAt);
    if (c === undefined) return EMPTY;
    return c.length === 1 ? c[0]! : Buffer.concat(c);
  }

  /**
   * Consumes bytes `buf[start, end)`.
   * @returns the index just past the end of the response when it completed in this call, else -1 (need more)
   * @throws HttpParseError when the bytes are not a valid HTTP/1.x response
   */
  feed(buf: Buffer, start: number, end: number): number {
    let pos = start;
    while (pos < end || this.#state === DONE) {
      switch (this.#state) {
        case DONE:
          return pos;
        case HEAD:
          pos = this.#feedHead(buf, pos, end);
          if (pos < 0) return -1;
          break;
        case FIXED:
          pos = this.#takeRemaining(buf, pos, end);
          if (this.#remaining === 0) this.#state = DONE;
          break;
        case UNTIL_CLOSE:
          this.#take(buf, pos, end - pos);
          return -1;
        case CHUNK_SIZE:
        case TRAILERS: {
          const line = this.#line(buf, pos, end, CHUNK_LINE_MAX);
          if (line === undefined) return -1;
          pos = line.next;
          if (this.#state === TRAILERS) {
            if (line.end === line.start) this.#state = DONE;
          } else {
            const size = chunkSize(line.buf, line.start, line.end);
            if (size === 0) this.#state = TRAILERS;
            else { this.#remaining = size; this.#state = CHUNK_DATA; }
          }
          break;
        }
        case CHUNK_DATA:
          pos = this.#takeRemaining(buf, pos, end);
          if (this.#remaining === 0) { this.#remaining = 2; this.#state = CHUNK_END; }
          break;
        case CHUNK_END: {
          // The CRLF after a chunk's data; it can be split across reads.
          const expected = this.#remaining === 2 ? CR : LF;
          if (buf[pos] !== expected) throw new HttpParseError('malformed chunked body: missing CRLF after chunk data');
          pos++;
          if (--this.#remaining === 0) this.#state = CHUNK_SIZE;
          break;
        }
      }
    }
    return this.#state === DONE ? pos : -1;
  }

  /**
   * The connection reached end of stream.
   * @returns true when that completes the response (a body delimited by the close), false when the response is cut off
   */
  eof(): boolean {
    if (this.#state === UNTIL_CLOSE) { this.#state = DONE; return true; }
    return this.#state === DONE;
  }

  /** Takes up to `#remaining` body bytes from `buf[pos, end)`; returns the position after them. */
  #takeRemaining(buf: Buffer, pos: number, end: number): number {
    const n = Math.min(this.#remaining, end - pos);
    this.#take(buf, pos, n);
    this.#remaining -= n;
    return pos + n;
  }

  #take(buf: Buffer, pos: number, n: number): void {
    if (n === 0) return;
    this.bodySize += n;
    if (!this.#keepBody) return;
    if (this.#body !== undefined && this.#bodyAt + n <= this.#body.length) {
      buf.copy(this.#body, this.#bodyAt, pos, pos + n);
      this.#bodyAt += n;
      return;
    }
    (this.#chunks ??= []).push(Buffer.from(buf.subarray(pos, pos + n)));
  }

  /** Finds a CRLF-terminated line, joining it with bytes carried over from earlier reads. */
  #line(buf: Buffer, pos: number, end: number, max: number): { buf: Buffer; start: number; end: number; next: number } | undefined {
    const lf = buf.indexOf(LF, pos);
    if (lf < 0 || lf >= end) {
      this.#carry(buf, pos, end, max);
      return undefined;
    }
    let b = buf;
    let s = pos;
    let e = lf;
    if (this.#pending !== undefined) {
      b = Buffer.concat([this.#pending, buf.subarray(pos, lf)]);
      this.#pending = undefined;
      s = 0;
      e = b.length;
    }
    if (e === s || b[e - 1] !== CR) throw new HttpParseError('malformed line: LF without CR');
    if (e - 1 - s > max) throw new HttpParseError('chunk size line too long');
    return { buf: b, start: s, end: e - 1, next: lf + 1 };
  }

  #carry(buf: Buffer, pos: number, end: number, max: number): void {
    const part = buf.subarray(pos, end);
    this.#pending = this.#pending === undefined ? Buffer.from(part) : Buffer.concat([this.#pending, part]);
    // The carried bytes may end with part of the terminator (CR, or up to CRLFCR after a head): allow for it, so that
    // the limit does not depend on where the reads split.
    if (this.#pending.length > max + (max === HEAD_MAX ? 3 : 1)) throw new HttpParseError(max === HEAD_MAX ? 'response head larger than 64 KiB' : 'chunk size line too long');
  }

  /** Reads a head; returns the index after it, or -1 when it is still incomplete. */
  #feedHead(buf: Buffer, pos: number, end: number): number {
    let b = buf;
    let s = pos;
    let next: number;
    let headEnd: number;
    if (this.#pending === undefined) {
      headEnd = buf.indexOf(HEAD_END, pos);
      if (headEnd < 0 || headEnd + 4 > end) { this.#carry(buf, pos, end, HEAD_MAX); return -1; }
      next = headEnd + 4;
    } else {
      // Search from a little before the joint, where the terminator may straddle the two reads.
      const carried = this.#pending.length;
      b = Buffer.concat([this.#pending, buf.subarray(pos, end)]);
      headEnd = b.indexOf(HEAD_END, Math.max(0, carried - 3));
      if (headEnd < 0) {
        if (b.length > HEAD_MAX + 3) throw new HttpParseError('response head larger than 64 KiB');
        this.#pending = b;
        return -1;
      }
      this.#pending = undefined;
      s = 0;
      next = pos + (headEnd + 4 - carried);
    }
    if (headEnd - s > HEAD_MAX) throw new HttpParseError('response head larger than 64 KiB');
    this.#parseHead(b, s, headEnd);
    return next;
  }

  #parseHead(b: Buffer, s: number, e: number): void {
    // "HTTP/1.x NNN" then an optional reason phrase (the line may end right after the code, even when headers follow).
    if (e - s < 12 || b[s] !== 0x48 || b[s + 1] !== 0x54 || b[s + 2] !== 0x54 || b[s + 3] !== 0x50 || b[s + 4] !== 0x2f ||
        b[s + 5] !== 0x31 || b[s + 6] !== 0x2e || b[s + 8] !== 0x20) {
      throw new HttpParseError(`malformed status line: ${JSON.stringify(b.toString('latin1', s, Math.min(e, s + 40)))}`);
    }
    const minor = b[s + 7]! - 0x30;
    const d1 = b[s + 9]! - 0x30;
    const d2 = b[s + 10]! - 0x30;
    const d3 = b[s + 11]! - 0x30;
    if (minor < 0 || minor > 9 || d1 < 1 || d1 > 9 || d2 < 0 || d2 > 9 || d3 < 0 || d3 > 9 || (e > s + 12 && b[s + 12] !== 0x20 && b[s + 12] !== CR)) {
      throw new HttpParseError(`malformed status line: ${JSON.stringify(b.toString('latin1', s, Math.min(e, s + 40)))}`);
    }
    const status = d1 * 100 + d2 * 10 + d3;
    let keepAlive = minor >= 1;
    let length = -1;
    let chunked = false;
    let encoded = false;
    let p = b.indexOf(LF, s) + 1;
    let cookies: string[] | undefined;
    while (p > 0 && p < e) {
      let lineEnd = b.indexOf(LF, p);
      if (lineEnd < 0 || lineEnd > e) lineEnd = e + 1;
      const valueEnd = b[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
      const first = b[p]! | 0x20;
      // Only the framing headers (and Set-Cookie, for the cookie jar) matter: skip the rest without making strings.
      if (first === 0x73) {
        if (b[p + 10] === 0x3a && nameIs(b, p, SET_COOKIE)) (cookies ??= []).push(b.toString('latin1', p + 11, valueEnd).trim());
      } else if (first === 0x63 || first === 0x74) {
        const colon = b.indexOf(0x3a, p);
        const n = colon - p;
        if (colon > p && colon < valueEnd && (n === 14 || n === 10 || n === 17)) {
          let vs = colon + 1;
          let ve = valueEnd;
          while (vs < ve && (b[vs] === 0x20 || b[vs] === 0x09)) vs++;
          while (ve > vs && (b[ve - 1] === 0x20 || b[ve - 1] === 0x09)) ve--;
          if (n === 14 && nameIs(b, p, CONTENT_LENGTH)) {
            const v = digits(b, vs, ve);
            if (v < 0) throw new HttpParseError(`invalid Content-Length ${JSON.stringify(b.toString('latin1', vs, ve))}`);
            if (length >= 0 && length !== v) throw new HttpParseError('conflicting Content-Length headers');
            length = v;
          } else if (n === 17 && nameIs(b, p, TRANSFER_ENCODING)) {
            encoded = true;
            // Chunked counts only as the last coding of the list.
            chunked = /(?:^|,)[ \t]*chunked$/i.test(b.toString('latin1', vs, ve));
          } else if (n === 10 && nameIs(b, p, CONNECTION)) {
            // "keep-alive" is what nearly every server sends: recognised without a string.
            if (ve - vs === 10 && nameIs(b, vs, KEEP_ALIVE)) keepAlive = true;
            else {
              const value = b.toString('latin1', vs, ve).toLowerCase();
              if (value.includes('close')) keepAlive = false;
              else if (value.includes('keep-alive')) keepAlive = true;
            }
          }
        }
      }
      p = lineEnd + 1;
    }
    if (status < 200) {
      // 101 would switch protocols: nothing a load step can use.
      if (status === 101) throw new HttpParseError('unexpected 101 Switching Protocols');
      this.#state = HEAD; // an interim 1xx response: the real one follows
      return;
    }
    this.status = status;
    this.keepAlive = keepAlive;
    this.setCookies = cookies;
    if (this.#noBody || status === 204 || status === 304) { this.#state = DONE; return; }
    if (chunked) {
      // Content-Length beside chunked: a smuggling risk, so the connection is closed after it (RFC 9112 6.3).
      if (length >= 0) this.keepAlive = false;
      this.#state = CHUNK_SIZE;
      return;
    }
    // A transfer coding other than chunked last: the body runs until the close, whatever Content-Length says
    // (RFC 9112 section 6.3).
    if (length >= 0 && !encoded) {
      this.#remaining = length;
      this.#state = length === 0 ? DONE : FIXED;
      if (this.#keepBody && length > 0 && length <= PREALLOC_MAX) this.#body = Buffer.allocUnsafe(length);
      return;
    }
    this.keepAlive = false;
    this.#state = UNTIL_CLOSE;
  }
}

const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
const CONTENT_LENGTH = Buffer.from('content-length', 'latin1');
const TRANSFER_ENCODING = Buffer.from('transfer-encoding', 'latin1');
const CONNECTION = Buffer.from('connection', 'latin1');
const KEEP_ALIVE = Buffer.from('keep-alive', 'latin1');
const SET_COOKIE = Buffer.from('set-cookie', 'latin1');

/** Case-insensitive match of `lower` (lowercase ASCII letters and '-') at `b[p]`. */
function nameIs(b: Buffer, p: number, lower: Buffer): boolean {
  for (let i = 0; i < lower.length; i++) if ((b[p + i]! | 0x20) !== lower[i]) return false;
  return true;
}

/** A decimal of 1 to 15 digits, or -1. */
function digits(b: Buffer, s: number, e: number): number {
  if (e <= s || e - s > 15) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = b[i]! - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}
const EMPTY = Buffer.alloc(0);

function chunkSize(b: Buffer, s: number, e: number): number {
  let size = 0;
  let p = s;
  for (; p < e; p++) {
    const c = b[p]!;
    const v = c >= 0x30 && c <= 0x39 ? c - 0x30 : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66 ? (c | 0x20) - 0x57 : -1;
    if (v < 0) break;
    size = size * 16 + v;
    if (size > Number.MAX_SAFE_INTEGER / 16) throw new HttpParseError('chunk size too large');
  }
  // Chunk extensions (";name=value") and spaces before them are allowed and ignored.
  if (p === s || (p < e && b[p] !== 0x3b && b[p] !== 0x20 && b[p] !== 0x09)) {
    throw new HttpParseError(`malformed chunk size ${JSON.stringify(b.toString('latin1', s, Math.min(e, s + 20)))}`);
  }
  return size;
}
