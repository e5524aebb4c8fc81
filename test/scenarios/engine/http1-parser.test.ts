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
import { b, type Case, END, everySplit, expected, run, SharedBuffer, throwsAt } from '../../helpers/http1-feed.ts';

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

  it('keeps the header lines only when something reads them: asked for, a 3xx, a Set-Cookie (the final response\'s)', () => {
    const headOf = (msg: string, keepHead: boolean): string | undefined => {
      const p = new Http1ResponseParser();
      p.reset(true, false, keepHead);
      const m = b(msg);
      expect(p.feed(m, 0, m.length)).toBe(m.length);
      return p.head;
    };
    expect(headOf(cl, false)).toBeUndefined();
    expect(headOf(cl, true)).toBe('Content-Type: text/plain\r\nContent-Length: 13\r\nX-Other: y');
    expect(headOf('HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n', false)).toBe('Location: /b\r\nContent-Length: 0');
    expect(headOf('HTTP/1.1 200 OK\r\nset-cookie: a=1\r\nSet-Cookie: b=2; Path=/\r\nContent-Length: 0\r\n\r\n', false))
      .toBe('set-cookie: a=1\r\nSet-Cookie: b=2; Path=/\r\nContent-Length: 0');
    // An interim 1xx's Set-Cookie is not the response's: only the final head counts.
    expect(headOf('HTTP/1.1 103 Early Hints\r\nSet-Cookie: early=1\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', false)).toBeUndefined();
  });
});
