/**
 * Http1ResponseParser on malformed responses (HttpParseError at every split, through the reused buffer), on limits
 * fed in pieces, and a seeded fuzz of random bodies, framings and splits checked against the expected body.
 */
import { describe, expect, it } from 'vitest';
import { Http1ResponseParser, HttpParseError } from '../../../scenarios/engine/http1-parser.ts';
import { b, type Outcome, run, SharedBuffer, throwsAt } from '../../helpers/http1-feed.ts';
import { rng } from '../../helpers/rng.ts';

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

describe('Http1ResponseParser fuzz', () => {
  it('random bodies, framings and splits give the expected body (seeded)', () => {
    const rand = rng(0xc0ffee);
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
