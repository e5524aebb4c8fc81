/**
 * HTTP/2 failures on 127.0.0.1 and the k6 error codes they get (k6 v0.48 lib/netext/httpext/error_codes.go: GoAway
 * 1610 + 1 + code, stream errors 1630 + 1 + code, connection errors 1650 + 1 + code; the bare base for a code past
 * HTTP_1_1_REQUIRED), against node:http2's server and a hand-written frame server; the retries Go's transport makes
 * (a refused stream, a stream above a GOAWAY's last stream id); and the pure mapping.
 */
import { constants } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { http2ErrorOf, k6ErrorOf } from '../../../scenarios/engine/error-codes.ts';
import type { HttpResponse } from '../../../scenarios/engine/http-response.ts';
import { closeH2, frameServer, goawayFrame, h2Req, h2Server, h2Vu, okFrames, respond, rstFrame } from '../../helpers/http2-server.ts';

afterEach(closeH2);

const k6 = (r: HttpResponse): { code: number; message: string } => k6ErrorOf(r.error, r.errorCause);

describe('k6 error codes of HTTP/2 failures', () => {
  it('maps every HTTP/2 error code as k6 v0.48 does, for GOAWAY, stream and connection errors', () => {
    const names = ['NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT', 'STREAM_CLOSED', 'FRAME_SIZE_ERROR',
      'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR', 'CONNECT_ERROR', 'ENHANCE_YOUR_CALM', 'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED'];
    names.forEach((name, code) => {
      expect(http2ErrorOf('goaway', code)).toEqual({ code: 1611 + code, message: `http2: received GoAway with http2 ErrCode ${name}` });
      expect(http2ErrorOf('stream', code)).toEqual({ code: 1631 + code, message: `http2: stream error with http2 ErrCode ${name}` });
      expect(http2ErrorOf('connection', code)).toEqual({ code: 1651 + code, message: `http2: connection error with http2 ErrCode ${name}` });
    });
    expect(http2ErrorOf('goaway', 0xe)).toEqual({ code: 1610, message: 'http2: received GoAway with http2 ErrCode unknown error code 0xe' });
    expect(http2ErrorOf('stream', 0x1f)).toEqual({ code: 1630, message: 'http2: stream error with http2 ErrCode unknown error code 0x1f' });
    expect(http2ErrorOf('connection', 0xffffffff)).toEqual({ code: 1650, message: 'http2: connection error with http2 ErrCode unknown error code 0xffffffff' });
    expect(k6ErrorOf('whatever', { http2: { kind: 'stream', code: 2 } })).toEqual({ code: 1633, message: 'http2: stream error with http2 ErrCode INTERNAL_ERROR' });
  });

  it('a GOAWAY then the session closing under the request: 1611 + code; the next request opens a new session', async () => {
    const s = await h2Server((stream, seen) => {
      const path = String(seen.headers[':path']);
      const code = /^\/goaway\/(\d+)$/.exec(path)?.[1];
      if (code === undefined) { respond(stream); return; }
      stream.session!.goaway(Number(code), stream.id!);
      setTimeout(() => stream.session?.destroy(), 20);
    });
    const http = h2Vu();
    const calm = await http.request(h2Req(s.origin, { path: '/goaway/11' }));
    expect([calm.status, calm.proto]).toEqual([0, 'HTTP/2.0']);
    expect(k6(calm)).toEqual({ code: 1622, message: 'http2: received GoAway with http2 ErrCode ENHANCE_YOUR_CALM' });
    const graceful = await http.request(h2Req(s.origin, { path: '/goaway/0' }));
    expect(k6(graceful)).toEqual({ code: 1611, message: 'http2: received GoAway with http2 ErrCode NO_ERROR' });
    expect(graceful.timings.connecting).toBeGreaterThan(0); // a new session
    const next = await http.request(h2Req(s.origin));
    expect([next.status, next.timings.connecting > 0]).toEqual([200, true]);
    expect(s.sessions).toHaveLength(3);
  });

  it('RST_STREAM from the server: 1631 + code; the session stays', async () => {
    const s = await h2Server((stream, seen) => {
      if (seen.headers[':path'] === '/internal') stream.close(constants.NGHTTP2_INTERNAL_ERROR);
      else if (seen.headers[':path'] === '/cancel') stream.close(constants.NGHTTP2_CANCEL);
      else respond(stream);
    });
    const http = h2Vu();
    const internal = await http.request(h2Req(s.origin, { path: '/internal' }));
    expect(internal.status).toBe(0);
    expect(k6(internal)).toEqual({ code: 1633, message: 'http2: stream error with http2 ErrCode INTERNAL_ERROR' });
    // A CANCEL ends node:http2's stream without an 'error': still a stream error, as Go reports it.
    const cancel = await http.request(h2Req(s.origin, { path: '/cancel' }));
    expect(k6(cancel)).toEqual({ code: 1639, message: 'http2: stream error with http2 ErrCode CANCEL' });
    const next = await http.request(h2Req(s.origin));
    expect([next.status, next.timings.connecting]).toEqual([200, 0]);
    expect(s.sessions).toHaveLength(1);
  });

  it('a stream reset mid-body with an unnamed code: 1630 and its hex code', async () => {
    const s = await frameServer((sock, seen) => {
      sock.write(Buffer.concat([okFrames(seen.streamId, 'partial').subarray(0, 10), rstFrame(seen.streamId, 0x1f)]));
    });
    const r = await h2Vu().request(h2Req(s.origin));
    expect(k6(r)).toEqual({ code: 1630, message: 'http2: stream error with http2 ErrCode unknown error code 0x1f' });
  });

  it('REFUSED_STREAM is sent once more, as Go\'s transport retries it: a second refusal fails with 1638', async () => {
    const s = await frameServer((sock, seen) => {
      if (seen.streamId === 1 || seen.conn === 1) sock.write(rstFrame(seen.streamId, constants.NGHTTP2_REFUSED_STREAM));
      else sock.write(okFrames(seen.streamId, 'second try'));
    });
    const http = h2Vu();
    const r = await http.request(h2Req(s.origin));
    expect([r.status, r.body.toString()]).toEqual([200, 'second try']);
    expect(s.requests.map((x) => `${x.conn}/${x.streamId}`)).toEqual(['0/1', '0/3']);
    const other = h2Vu(); // its own session: connection 1 refuses everything
    const refused = await other.request(h2Req(s.origin));
    expect(k6(refused)).toEqual({ code: 1638, message: 'http2: stream error with http2 ErrCode REFUSED_STREAM' });
    expect(s.requests.filter((x) => x.conn === 1)).toHaveLength(2);
  });

  it('a GOAWAY below the request\'s stream: sent again on a new session, timed from the first try', async () => {
    const s = await frameServer((sock, seen) => {
      if (seen.conn === 0) { sock.write(goawayFrame(0, 0)); setTimeout(() => sock.end(), 20); } else sock.write(okFrames(seen.streamId, `conn ${seen.conn}`));
    });
    const http = h2Vu();
    const r = await http.request(h2Req(s.origin, { path: '/x' }));
    expect([r.status, r.proto, r.body.toString()]).toEqual([200, 'HTTP/2.0', 'conn 1']);
    expect(s.connections).toBe(2);
    expect(r.timings.blocked).toBeGreaterThanOrEqual(r.timings.connecting + r.timings.tlsHandshaking - 1e-6);
    // Both connections' bytes are counted.
    const bytes = http.takeBytes();
    expect(bytes.received).toBeGreaterThan(2 * 300);
  });

  it('a server that chose h2 but speaks HTTP/1.1: a connection error, 1652 (PROTOCOL_ERROR)', async () => {
    const s = await frameServer(() => {}, (sock) => sock.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'));
    const r = await h2Vu().request(h2Req(s.origin));
    expect(r.status).toBe(0);
    expect(k6(r)).toEqual({ code: 1652, message: 'http2: connection error with http2 ErrCode PROTOCOL_ERROR' });
  });

  it('the connection closed without a GOAWAY before the response ended: Go\'s "unexpected EOF" (1000); a reset: 1220', async () => {
    const s = await frameServer((sock, seen, raw) => {
      const head = okFrames(seen.streamId, 'cut short').subarray(0, 10); // HEADERS only
      if (seen.conn === 0) sock.end(head);
      else { sock.write(head); setTimeout(() => raw.resetAndDestroy(), 20); }
    });
    const eof = await h2Vu().request(h2Req(s.origin));
    expect([eof.status, eof.error]).toEqual([0, 'unexpected EOF']);
    expect(k6(eof)).toEqual({ code: 1000, message: 'unexpected EOF' });
    const reset = await h2Vu().request(h2Req(s.origin));
    expect(k6(reset)).toEqual({ code: 1220, message: 'read: connection reset by peer' });
  });
});
