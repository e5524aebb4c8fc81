/**
 * Http1ResponseParser on hand-written response bytes: framing by Content-Length, chunks (extensions, trailers,
 * uppercase hex) and connection close; HEAD, 204 and 304 without a body; 1xx interim responses; keep-alive rules of
 * HTTP/1.0 and 1.1; keepBody. Every response is also fed split at every byte boundary (two and three pieces, and one
 * byte at a time), through a view of the whole message, a fresh copy per piece, and one reused buffer that is
 * scribbled over after each feed (the connection's shared read buffer): the outcome must not change. Malformed
 * responses throw HttpParseError whatever the split, and a seeded fuzz checks random bodies and chunkings.
 */
import { describe, expect, it } from 'vitest';
import { Http1ResponseParser, HttpParseError } from '../../../scenarios/engine/http1-parser.ts';

interface Case {
  name: string;
  /** The response, then bytes that follow it on the connection (not part of it). */
  msg: Buffer;
  keepBody?: boolean;
  head?: boolean;
  status: number;
  /** Expected kept body (latin1); '' when not kept. */
  body: string;
  bodySize: number;
  keepAlive: boolean;
  /** Index just past the response ({@link END}: the whole message); -1 when the body runs until the connection closes. */
  at: number;
}

/** The response ends with the message. */
const END = -2;

interface Outcome {
  status: number;
  body: string;
  bodySize: number;
  keepAlive: boolean;
  at: number;
}

type Mode = 'view' | 'copy' | 'shared';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Bytes that would mislead a parser reading past `end`: terminators, chunk sizes, status lines. */
const GARBAGE = b('\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n0\r\n\r\n\n\r\n5\r\nxxxxx\r\n');

/** One reused buffer, as the connection's onread buffer: garbage around each piece, scribbled after each feed. */
class SharedBuffer {
  readonly buf = Buffer.allocUnsafe(1 << 17);
  #n = 0;
  #scribble(): void {
    this.#n++;
    if (this.#n % 2 === 0) this.buf.fill(GARBAGE);
    else this.buf.fill(0xff);
  }
  feed(p: Http1ResponseParser, piece: Buffer): number {
    this.#scribble();
    const off = this.#n % 13;
    piece.copy(this.buf, off);
    const r = p.feed(this.buf, off, off + piece.length);
    this.#scribble();
    return r < 0 ? r : r - off;
  }
}

/**
 * Feeds `msg` cut at `cuts` (sorted, inside (0, length)).
 * @returns the outcome, with `at` global; eof() is called when nothing completed the response
 */
function run(msg: Buffer, cuts: readonly number[], keepBody: boolean, head: boolean, mode: Mode, shared?: SharedBuffer, p = new Http1ResponseParser()): Outcome {
  p.reset(keepBody, head);
  let at = -1;
  let prev = 0;
  for (const end of [...cuts, msg.length]) {
    let r: number;
    if (mode === 'view') r = p.feed(msg, prev, end);
    else if (mode === 'copy') { const c = Buffer.from(msg.subarray(prev, end)); r = p.feed(c, 0, c.length); if (r >= 0) r += prev; }
    else { r = shared!.feed(p, msg.subarray(prev, end)); if (r >= 0) r += prev; }
    if (r >= 0) {
      if (r < prev || r > end) throw new Error(`feed returned ${r} outside [${prev}, ${end}]`);
      at = r;
      break;
    }
    prev = end;
  }
  if (at < 0) {
    if (!p.untilClose) throw new Error('response incomplete and not delimited by close');
    if (!p.eof()) throw new Error('eof() did not complete a close-delimited body');
  }
  if (!p.done) throw new Error('parser not done');
  return { status: p.status, body: p.takeBody().toString('latin1'), bodySize: p.bodySize, keepAlive: p.keepAlive, at };
}

const expected = (c: Case): Outcome => ({ status: c.status, body: c.body, bodySize: c.bodySize, keepAlive: c.keepAlive, at: c.at === END ? c.msg.length : c.at });

function describeCuts(cuts: readonly number[]): string {
  return cuts.length > 20 ? `${cuts.length + 1} pieces` : `cuts [${cuts.join(',')}]`;
}

/**
 * Every split of the case: whole, two pieces at every boundary (each mode), one byte at a time (each mode), and
 * three pieces at every pair of boundaries (shared buffer) when the message is small.
 * @returns mismatch descriptions (empty when all agree with the expectation)
 */
function everySplit(c: Case): string[] {
  const want = expected(c);
  const shared = new SharedBuffer();
  const problems: string[] = [];
  const reused = new Http1ResponseParser();
  const check = (cuts: number[], mode: Mode): void => {
    let got: Outcome | string;
    try {
      got = run(c.msg, cuts, c.keepBody ?? true, c.head ?? false, mode, shared, reused);
    } catch (err) {
      got = `threw ${(err as Error).message}`;
    }
    if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${mode} ${describeCuts(cuts)}: ${JSON.stringify(got)}`);
  };
  const modes: Mode[] = ['view', 'copy', 'shared'];
  const n = c.msg.length;
  for (const mode of modes) {
    check([], mode);
    for (let i = 1; i < n; i++) check([i], mode);
    check(Array.from({ length: n - 1 }, (_, i) => i + 1), mode);
  }
  if (n <= 260) {
    for (let i = 1; i < n; i++) for (let j = i + 1; j < n; j++) check([i, j], 'shared');
  }
  return problems.slice(0, 10);
}

const cl = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nX-Other: y\r\n\r\nhello, world!';
const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nServer: t\r\n\r\n' +
  '5\r\nhello\r\n' + '7;name=value;q="a b"\r\n, world\r\n' + 'A ; ext\r\n0123456789\r\n' + '1f\r\n' + 'x'.repeat(31) + '\r\n' +
  '1F\r\n' + 'y'.repeat(31) + '\r\n' + '0\r\n\r\n';
const chunkedBody = 'hello, world0123456789' + 'x'.repeat(31) + 'y'.repeat(31);

const CASES: Case[] = [
  { name: 'Content-Length body', msg: b(cl), status: 200, body: 'hello, world!', bodySize: 13, keepAlive: true, at: END },
  {
    name: 'Content-Length body not kept (size still counted)', msg: b(cl), keepBody: false,
    status: 200, body: '', bodySize: 13, keepAlive: true, at: END,
  },
  {
    name: 'Content-Length: 0', msg: b('HTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n'),
    status: 201, body: '', bodySize: 0, keepAlive: true, at: END,
  },
  {
    name: 'status line without reason phrase, odd header case and spacing', msg: b('HTTP/1.1 404\r\nCONTENT-LENGTH:   3  \r\n\r\nnop'),
    status: 404, body: 'nop', bodySize: 3, keepAlive: true, at: END,
  },
  {
    name: 'status line with empty reason phrase', msg: b('HTTP/1.1 200 \r\nContent-Length: 1\r\n\r\n1'),
    status: 200, body: '1', bodySize: 1, keepAlive: true, at: END,
  },
  {
    name: 'status line alone, without reason or headers', msg: b('HTTP/1.1 503\r\n\r\n'), head: true,
    status: 503, body: '', bodySize: 0, keepAlive: true, at: END,
  },
  {
    name: 'repeated identical Content-Length', msg: b('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok'),
    status: 200, body: 'ok', bodySize: 2, keepAlive: true, at: END,
  },
  {
    name: 'a body that looks like a head', msg: b('HTTP/1.1 200 OK\r\nContent-Length: 28\r\n\r\n\r\n\r\nHTTP/1.1 500 X\r\n\r\n0\r\n\r\n\n'),
    status: 200, body: '\r\n\r\nHTTP/1.1 500 X\r\n\r\n0\r\n\r\n\n', bodySize: 28, keepAlive: true, at: END,
  },
  { name: 'chunked with extensions and upper/lower-case hex', msg: b(chunked), status: 200, body: chunkedBody, bodySize: chunkedBody.length, keepAlive: true, at: END },
  {
    name: 'chunked not kept', msg: b(chunked), keepBody: false,
    status: 200, body: '', bodySize: chunkedBody.length, keepAlive: true, at: END,
  },
  {
    name: 'chunked with trailers', msg: b('HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Checksum: 1\r\nX-More: two\r\n\r\n'),
    status: 200, body: 'abc', bodySize: 3, keepAlive: true, at: END,
  },
  {
    // ... and the connection is closed after it (RFC 9112 section 6.3: a request smuggling risk).
    name: 'chunked wins over Content-Length', msg: b('HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n'),
    status: 200, body: 'hi', bodySize: 2, keepAlive: false, at: END,
  },
  {
    // Any three digits, as Go's client accepts them.
    name: 'status 600', msg: b('HTTP/1.1 600 Odd\r\nContent-Length: 1\r\n\r\nx'), keepBody: true,
    status: 600, body: 'x', bodySize: 1, keepAlive: true, at: END,
  },
  {
    // Chunked counts only as the last coding: "xchunked" is not it, so the body runs until the close.
    name: 'a coding named like chunked is not chunked', msg: b('HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked\r\n\r\nabc'), keepBody: true,
    status: 200, body: 'abc', bodySize: 3, keepAlive: false, at: -1,
  },
  {
    name: 'chunked as the last of several codings', msg: b('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n'), keepBody: true,
    status: 200, body: 'z', bodySize: 1, keepAlive: true, at: END,
  },
  {
    // RFC 9112 section 6.3: a transfer coding other than chunked last means the body runs until the close.
    name: 'non-chunked Transfer-Encoding with Content-Length: until close', msg: b('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 2\r\n\r\nabcdef'),
    keepBody: true, status: 200, body: 'abcdef', bodySize: 6, keepAlive: false, at: -1,
  },
  {
    name: 'chunk data holding CR and LF bytes', msg: b('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n\r\n\r\n\r\n0\r\n\r\n'),
    status: 200, body: '\r\n\r\n', bodySize: 4, keepAlive: true, at: END,
  },
  {
    name: 'close-delimited body (HTTP/1.1, no framing)', msg: b('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end\r\n\r\n'),
    status: 200, body: 'until the end\r\n\r\n', bodySize: 17, keepAlive: false, at: -1,
  },
  {
    name: 'close-delimited body not kept', msg: b('HTTP/1.0 200 OK\r\n\r\nabcdef'), keepBody: false,
    status: 200, body: '', bodySize: 6, keepAlive: false, at: -1,
  },
  {
    name: 'close-delimited empty body', msg: b('HTTP/1.1 200 OK\r\n\r\n'),
    status: 200, body: '', bodySize: 0, keepAlive: false, at: -1,
  },
  {
    name: 'HEAD response: Content-Length but no body', msg: b('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n'), head: true,
    status: 200, body: '', bodySize: 0, keepAlive: true, at: END,
  },
  {
    name: 'HEAD response with chunked encoding: no body', msg: b('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'), head: true,
    status: 200, body: '', bodySize: 0, keepAlive: true, at: END,
  },
  {
    name: 'HEAD response without framing is not close-delimited', msg: b('HTTP/1.1 200 OK\r\n\r\n'), head: true,
    status: 200, body: '', bodySize: 0, keepAlive: true, at: END,
  },
  {
    name: '204 without body', msg: b('HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n'),
    status: 204, body: '', bodySize: 0, keepAlive: true, at: END,
  },
  {
    name: '304 with Content-Length but no body', msg: b('HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\nETag: "x"\r\n\r\n'),
    status: 304, body: '', bodySize: 0, keepAlive: true, at: END,
  },
  {
    name: '100 Continue and 103 Early Hints skipped',
    msg: b('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody'),
    status: 200, body: 'body', bodySize: 4, keepAlive: true, at: END,
  },
  {
    name: '1xx with Connection: close does not leak into the final response',
    msg: b('HTTP/1.1 100 Continue\r\nConnection: close\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx'),
    status: 200, body: 'x', bodySize: 1, keepAlive: true, at: END,
  },
  {
    name: 'HTTP/1.1 Connection: close', msg: b('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok'),
    status: 200, body: 'ok', bodySize: 2, keepAlive: false, at: END,
  },
  {
    name: 'HTTP/1.1 Connection: Keep-Alive', msg: b('HTTP/1.1 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok'),
    status: 200, body: 'ok', bodySize: 2, keepAlive: true, at: END,
  },
  {
    name: 'HTTP/1.0 closes by default', msg: b('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok'),
    status: 200, body: 'ok', bodySize: 2, keepAlive: false, at: END,
  },
  {
    name: 'HTTP/1.0 with Connection: keep-alive', msg: b('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok'),
    status: 200, body: 'ok', bodySize: 2, keepAlive: true, at: END,
  },
  {
    name: 'HTTP/1.0 with Connection: close', msg: b('HTTP/1.0 500 Oops\r\nConnection: close\r\nContent-Length: 3\r\n\r\nerr'),
    status: 500, body: 'err', bodySize: 3, keepAlive: false, at: END,
  },
  {
    name: 'pipelined bytes after the response are not consumed',
    msg: b('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'),
    status: 200, body: 'ok', bodySize: 2, keepAlive: true, at: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'.length,
  },
  {
    name: 'bytes after a chunked response are not consumed',
    msg: b('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\nEXTRA'),
    status: 200, body: 'z', bodySize: 1, keepAlive: true, at: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n'.length,
  },
];

describe('Http1ResponseParser', () => {
  it('takeBody() hands the body over once and keeps no reference to it', () => {
    const p = new Http1ResponseParser();
    p.reset(true, false);
    const msg = b('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc');
    expect(p.feed(msg, 0, msg.length)).toBe(msg.length);
    expect(p.takeBody().toString('latin1')).toBe('abc');
    expect(p.takeBody().length).toBe(0);
  });

  it('expectations in the table are consistent with the messages', () => {
    for (const c of CASES) {
      if (c.at >= 0) expect(c.at, c.name).toBeLessThan(c.msg.length);
      expect(c.bodySize, c.name).toBeGreaterThanOrEqual(c.body.length);
    }
  });

  for (const c of CASES) {
    it(`${c.name}: same outcome at every split`, () => {
      expect(run(c.msg, [], c.keepBody ?? true, c.head ?? false, 'copy')).toEqual(expected(c));
      expect(everySplit(c)).toEqual([]);
    });
  }

  it('reports progress: status after the head, untilClose, done', () => {
    const p = new Http1ResponseParser();
    p.reset(true, false);
    expect(p.done).toBe(false);
    expect(p.status).toBe(0);
    const m = b('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd');
    expect(p.feed(m, 0, 38)).toBe(-1);
    expect(p.status).toBe(200);
    expect(p.done).toBe(false);
    expect(p.untilClose).toBe(false);
    expect(p.feed(m, 38, 40)).toBe(-1);
    expect(p.bodySize).toBe(2);
    expect(p.eof()).toBe(false); // cut off mid-body
    p.reset(true, false);
    expect(p.eof()).toBe(false); // cut off before the head
    expect(p.feed(m, 0, m.length)).toBe(m.length);
    expect(p.done).toBe(true);
    expect(p.eof()).toBe(true);
    const close = b('HTTP/1.1 200 OK\r\n\r\nab');
    p.reset(false, false);
    expect(p.feed(close, 0, close.length)).toBe(-1);
    expect(p.untilClose).toBe(true);
    expect(p.bodySize).toBe(2);
    expect(p.eof()).toBe(true);
    expect(p.done).toBe(true);
    expect(p.takeBody().length).toBe(0);
  });

  it('cut-off chunked response is not completed by eof()', () => {
    const p = new Http1ResponseParser();
    p.reset(true, false);
    const m = b('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel');
    expect(p.feed(m, 0, m.length)).toBe(-1);
    expect(p.untilClose).toBe(false);
    expect(p.eof()).toBe(false);
    expect(p.bodySize).toBe(3);
  });

  it('one parser serves many responses after reset, also after an error', () => {
    const p = new Http1ResponseParser();
    for (const c of CASES) {
      p.reset(true, false);
      expect(() => p.feed(b('HTTP/1.1 2x0 OK\r\n\r\n'), 0, 19)).toThrow(HttpParseError);
      expect(run(c.msg, [Math.floor(c.msg.length / 2)], c.keepBody ?? true, c.head ?? false, 'copy', undefined, p), c.name).toEqual(expected(c));
    }
    // A half-read head carried over must not survive reset.
    p.reset(true, false);
    p.feed(b('HTTP/1.1 500 Bad\r\nX: '), 0, 21);
    expect(run(b(cl), [], true, false, 'copy', undefined, p).status).toBe(200);
  });

  it('the kept body survives reuse of the caller buffer', () => {
    const p = new Http1ResponseParser();
    const shared = new SharedBuffer();
    for (const keepBody of [true, false]) {
      p.reset(keepBody, false);
      const m = b(chunked);
      let at = -1;
      for (let i = 0; i < m.length && at < 0; i += 7) {
        const r = shared.feed(p, m.subarray(i, Math.min(m.length, i + 7)));
        if (r >= 0) at = i + r;
      }
      expect(at).toBe(m.length);
      expect(p.takeBody().toString('latin1')).toBe(keepBody ? chunkedBody : '');
      expect(p.bodySize).toBe(chunkedBody.length);
    }
  });

  it('gathers a kept body larger than the preallocation limit', () => {
    const size = 9 * 1024 * 1024 + 5;
    const body = Buffer.alloc(size);
    for (let i = 0; i < size; i++) body[i] = (i * 31 + (i >> 8)) & 0xff;
    const m = Buffer.concat([b(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`), body]);
    for (const keepBody of [true, false]) {
      const p = new Http1ResponseParser();
      p.reset(keepBody, false);
      const shared = new SharedBuffer();
      let at = -1;
      for (let i = 0; i < m.length && at < 0; i += 65536) {
        const r = shared.feed(p, m.subarray(i, Math.min(m.length, i + 65536)));
        if (r >= 0) at = i + r;
      }
      expect(at).toBe(m.length);
      expect(p.bodySize).toBe(size);
      if (keepBody) expect(p.takeBody().equals(body)).toBe(true);
      else expect(p.takeBody().length).toBe(0);
    }
  });

  it('limits the head to 64 KiB wherever the reads split', () => {
    const headOf = (size: number): Buffer => {
      const pre = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Big: ';
      return b(`${pre}${'x'.repeat(size - pre.length)}\r\n\r\nok`);
    };
    const p = new Http1ResponseParser();
    const shared = new SharedBuffer();
    for (const size of [64 * 1024 - 1, 64 * 1024]) {
      const m = headOf(size);
      const cuts = [1, 17, 1000, 30_000, ...Array.from({ length: 10 }, (_, i) => m.length - 11 + i)];
      for (const cut of cuts) {
        expect(run(m, [cut], true, false, 'shared', shared, p), `size ${size} cut ${cut}`).toEqual({ status: 200, body: 'ok', bodySize: 2, keepAlive: true, at: m.length });
      }
      const k: number[] = [];
      for (let i = 1000; i < m.length; i += 1000) k.push(i);
      expect(run(m, k, true, false, 'view', shared, p).status).toBe(200);
    }
    const over = headOf(64 * 1024 + 1);
    expect(throwsAt(over, [], shared)).toBe(true);
    for (let cut = over.length - 11; cut < over.length; cut++) expect(throwsAt(over, [cut], shared), `cut ${cut}`).toBe(true);
  });

  it('limits a chunk-size line to 4 KiB wherever the reads split', () => {
    const lineOf = (size: number): Buffer => b(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;${'e'.repeat(size - 2)}\r\nx\r\n0\r\n\r\n`);
    const ok = lineOf(4096);
    const bodyAt = ok.length - 10;
    const p = new Http1ResponseParser();
    const shared = new SharedBuffer();
    for (const cut of [50, 1000, bodyAt - 3, bodyAt - 2, bodyAt - 1, bodyAt]) {
      expect(run(ok, [cut], true, false, 'shared', shared, p).body, `cut ${cut}`).toBe('x');
    }
    const over = lineOf(4097);
    for (const cut of [0, 50, 1000, bodyAt - 3, bodyAt - 2, bodyAt - 1, bodyAt]) {
      expect(throwsAt(over, cut === 0 ? [] : [cut], shared), `cut ${cut}`).toBe(true);
    }
  });
});

const MALFORMED: [string, string][] = [
  ['HTTP/2 status line', 'HTTP/2 200 OK\r\nContent-Length: 0\r\n\r\n'],
  ['not HTTP at all', 'SSH-2.0-OpenSSH_9.6\r\n\r\n'],
  ['lower-case protocol', 'http/1.1 200 OK\r\n\r\n'],
  ['two-digit status', 'HTTP/1.1 20 OK\r\n\r\n'],
  ['four-digit status', 'HTTP/1.1 2000 OK\r\n\r\n'],
  ['letters in status', 'HTTP/1.1 2x0 OK\r\n\r\n'],
  ['status 099', 'HTTP/1.1 099 Nope\r\n\r\n'],
  ['no space after status', 'HTTP/1.1 200OK\r\n\r\n'],
  ['empty head', '\r\n\r\n'],
  ['101 Switching Protocols', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'],
  ['non-numeric Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n'],
  ['negative Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'],
  ['fractional Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 1.5\r\n\r\nab'],
  ['empty Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n'],
  ['huge Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 1234567890123456\r\n\r\n'],
  ['conflicting Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!'],
  ['non-hex chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n'],
  ['empty chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\nab\r\n0\r\n\r\n'],
  ['negative chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nab\r\n0\r\n\r\n'],
  ['junk after chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2x\r\nab\r\n0\r\n\r\n'],
  ['overflowing chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\nab\r\n0\r\n\r\n'],
  ['chunk size line with LF only', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nab\r\n0\r\n\r\n'],
  ['missing CRLF after chunk data', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n'],
  ['CR without LF after chunk data', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\rX0\r\n\r\n'],
  ['chunk longer than its size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n'],
];

/** Feeds `msg` cut at `cuts` through the shared buffer; true when some feed threw HttpParseError. */
function throwsAt(msg: Buffer, cuts: number[], shared: SharedBuffer): boolean | string {
  const p = new Http1ResponseParser();
  p.reset(true, false);
  let prev = 0;
  try {
    for (const end of [...cuts, msg.length]) {
      if (shared.feed(p, msg.subarray(prev, end)) >= 0) return 'completed';
      prev = end;
    }
  } catch (err) {
    return err instanceof HttpParseError ? true : `threw ${String(err)}`;
  }
  return 'needs more';
}

describe('Http1ResponseParser on malformed responses', () => {
  for (const [name, text] of MALFORMED) {
    it(`${name}: HttpParseError at every split`, () => {
      const m = b(text);
      const p = new Http1ResponseParser();
      p.reset(true, false);
      expect(() => p.feed(m, 0, m.length)).toThrow(HttpParseError);
      const shared = new SharedBuffer();
      const bad: string[] = [];
      for (let i = 1; i < m.length; i++) {
        const r = throwsAt(m, [i], shared);
        if (r !== true) bad.push(`cut ${i}: ${r}`);
      }
      const bytes = throwsAt(m, Array.from({ length: m.length - 1 }, (_, i) => i + 1), shared);
      if (bytes !== true) bad.push(`byte by byte: ${bytes}`);
      expect(bad).toEqual([]);
    });
  }

  it('error messages say what is wrong', () => {
    const msg = (text: string): string => {
      const p = new Http1ResponseParser();
      p.reset(true, false);
      try {
        p.feed(b(text), 0, text.length);
      } catch (err) {
        expect(err).toBeInstanceOf(HttpParseError);
        return (err as Error).message;
      }
      return 'no error';
    };
    expect(msg('HTTP/2 200 OK\r\n\r\n')).toMatch(/status line/);
    expect(msg('HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n')).toMatch(/Content-Length/);
    expect(msg('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n')).toMatch(/conflicting Content-Length/);
    expect(msg('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nq\r\n')).toMatch(/chunk size/);
    expect(msg('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab')).toMatch(/CRLF after chunk data/);
    expect(msg('HTTP/1.1 101 Switching Protocols\r\n\r\n')).toMatch(/101/);
  });

  it('rejects a head larger than 64 KiB, whole or arriving in pieces', () => {
    const big = b(`HTTP/1.1 200 OK\r\nX-Big: ${'y'.repeat(70_000)}\r\nContent-Length: 0\r\n\r\n`);
    const p = new Http1ResponseParser();
    p.reset(true, false);
    expect(() => p.feed(big, 0, big.length)).toThrow(/64 KiB/);
    for (const piece of [1000, 4096, 65536, 65537]) {
      const cuts: number[] = [];
      for (let i = piece; i < big.length; i += piece) cuts.push(i);
      expect(throwsAt(big, cuts, new SharedBuffer()), `pieces of ${piece}`).toBe(true);
    }
    // Without a terminator in sight, it gives up once 64 KiB are buffered rather than growing forever.
    const endless = b(`HTTP/1.1 200 OK\r\nX-Big: ${'y'.repeat(200_000)}`);
    const q = new Http1ResponseParser();
    q.reset(true, false);
    let threw: unknown;
    let fed = 0;
    try {
      for (; fed < endless.length; fed += 8192) q.feed(endless, fed, Math.min(endless.length, fed + 8192));
    } catch (err) {
      threw = err;
    }
    expect(threw).toBeInstanceOf(HttpParseError);
    expect(fed).toBeLessThanOrEqual(64 * 1024 + 8192);
  });

  it('rejects an endless chunk-size line', () => {
    const m = b(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;${'e'.repeat(10_000)}`);
    const p = new Http1ResponseParser();
    p.reset(true, false);
    let threw: unknown;
    try {
      for (let i = 0; i < m.length; i += 1000) p.feed(m, i, Math.min(m.length, i + 1000));
    } catch (err) {
      threw = err;
    }
    expect(threw).toBeInstanceOf(HttpParseError);
  });
});

/** mulberry32: a small seeded PRNG, so the fuzz is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('Http1ResponseParser fuzz', () => {
  it('random bodies, framings and splits give the expected body (seeded)', () => {
    const rand = prng(0xc0ffee);
    const int = (n: number): number => Math.floor(rand() * n);
    const shared = new SharedBuffer();
    const p = new Http1ResponseParser();
    const failures: string[] = [];
    for (let iter = 0; iter < 1500; iter++) {
      const size = rand() < 0.1 ? 0 : int(rand() < 0.2 ? 20_000 : 300);
      const body = Buffer.alloc(size);
      // Bytes biased towards CR, LF and digits, which matter to the framing.
      for (let i = 0; i < size; i++) body[i] = rand() < 0.3 ? [0x0d, 0x0a, 0x30, 0x3b][int(4)]! : int(256);
      const framing = ['length', 'chunked', 'close'][int(3)]!;
      const status = [200, 201, 404, 500, 503][int(5)]!;
      let head = '';
      if (rand() < 0.2) head += 'HTTP/1.1 100 Continue\r\n\r\n';
      if (rand() < 0.1) head += 'HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n';
      head += `HTTP/1.1 ${status} Whatever\r\nX-Random: ${int(1e9)}\r\n`;
      const parts: Buffer[] = [];
      if (framing === 'length') head += `Content-Length: ${size}\r\n`;
      if (framing === 'chunked') {
        head += 'Transfer-Encoding: chunked\r\n';
        for (let i = 0; i < size;) {
          const n = Math.min(size - i, 1 + int(rand() < 0.5 ? 16 : 3000));
          let hex = n.toString(16);
          if (rand() < 0.5) hex = hex.toUpperCase();
          if (rand() < 0.2) hex = `0${hex}`;
          const ext = rand() < 0.2 ? `;x=${int(100)}` : '';
          parts.push(b(`${hex}${ext}\r\n`), body.subarray(i, i + n), b('\r\n'));
          i += n;
        }
        parts.push(b(rand() < 0.3 ? '0\r\nX-T: 1\r\n\r\n' : '0\r\n\r\n'));
      } else {
        parts.push(body);
      }
      const msgOnly = Buffer.concat([b(`${head}\r\n`), ...parts]);
      const extra = framing !== 'close' && rand() < 0.3 ? b('HTTP/1.1 200 OK\r\n') : Buffer.alloc(0);
      const msg = Buffer.concat([msgOnly, extra]);
      const cuts = new Set<number>();
      const pieces = int(rand() < 0.1 ? msg.length : 12);
      for (let i = 0; i < pieces && msg.length > 1; i++) cuts.add(1 + int(msg.length - 1));
      const keepBody = rand() < 0.7;
      const sorted = [...cuts].sort((x, y) => x - y);
      const mode = (['view', 'copy', 'shared'] as const)[int(3)]!;
      let got: Outcome | string;
      try {
        got = run(msg, sorted, keepBody, false, mode, shared, p);
      } catch (err) {
        got = `threw ${(err as Error).message}`;
      }
      const want: Outcome = {
        status, body: keepBody ? body.toString('latin1') : '', bodySize: size, keepAlive: framing !== 'close',
        at: framing === 'close' ? -1 : msgOnly.length,
      };
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        failures.push(`iter ${iter} ${framing} size ${size} ${mode} cuts ${sorted.length}: ${typeof got === 'string' ? got : JSON.stringify({ ...got, body: got.body.length })}`);
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
  });
});
