/**
 * k6's error_code and error tags on the samples of requests that failed for real on 127.0.0.1: a refused port, a
 * connection reset, a name that never resolves (`.invalid`, RFC 6761: no outside traffic), a plain-HTTP server
 * spoken to with TLS, a timeout, a close without a response; and k6's 1000 + status on responses >= 400. The codes
 * and texts are k6 v0.48's (lib/netext/httpext/error_codes.go). Plus the pure mapping of Node's errors.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { k6ErrorOf } from '../../../scenarios/engine/error-codes.ts';
import { effectiveScenarios, runEngine } from '../../../scenarios/engine/run.ts';
import { parseScenarioSpec } from '../../../scenarios/spec.ts';
import { closeRawHttp, ok, rawServer } from '../../helpers/raw-http-server.ts';
import { freePort } from '../../helpers/process.ts';
import { CollectingSink, specOf } from '../server.ts';

afterEach(closeRawHttp);

describe('error_code and error tags of failed requests', () => {
  it('tags every http_req_* sample of a failed request as k6 does', async () => {
    const s = await rawServer((r, sock) => {
      if (r.target === '/reset') sock.resetAndDestroy();
      else if (r.target === '/close') sock.destroy();
      else if (r.target === '/503') sock.write('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
      else if (r.target === '/slow') { /* never answers */ }
      else sock.write(ok());
    });
    const refused = await freePort(); // released at once: nothing listens there
    // A plain-HTTP server answers a TLS ClientHello with 400, as nginx does.
    const plain = createServer((sock) => { sock.on('error', () => {}); sock.once('data', () => sock.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')); });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const plainPort = (plain.address() as { port: number }).port;
    const spec = parseScenarioSpec(specOf(s.origin, { s: { executor: 'shared-iterations', iterations: 1 } }, { default: { steps: [
      { name: 'refused', url: `http://127.0.0.1:${refused}/` },
      { name: 'reset', path: '/reset' },
      { name: 'nohost', url: 'http://nonexistent.invalid/' },
      { name: 'tls-to-plain', url: `https://127.0.0.1:${plainPort}/`, timeout: '10s' },
      { name: 'slow', path: '/slow', timeout: '200ms' },
      { name: 'close', path: '/close' },
      { name: 'unavailable', path: '/503' },
      { name: 'fine', path: '/' },
    ] } }), 'spec');
    const sink = new CollectingSink();
    await runEngine(spec, effectiveScenarios(spec), { sink, seed: 1 });
    plain.close();
    const tagsOf = (name: string): Record<string, string> => {
      const failed = sink.of('http_req_failed', { name });
      expect(failed, name).toHaveLength(1);
      // The same tags on the request's other samples.
      for (const m of ['http_reqs', 'http_req_duration', 'http_req_blocked']) expect(sink.of(m, { name })[0]!.tags, `${m} ${name}`).toBe(failed[0]!.tags);
      return { ...failed[0]!.tags };
    };
    const k6 = (name: string): [string | undefined, string | undefined, string | undefined] => {
      const t = tagsOf(name);
      return [t.status, t.error_code, t.error];
    };
    expect(k6('refused')).toEqual(['0', '1212', 'dial: connection refused']);
    expect(k6('reset')).toEqual(['0', '1220', 'read: connection reset by peer']);
    expect(k6('nohost')[1]).toMatch(/^110[01]$/); // 1101 "no such host"; 1100 when the machine has no resolver at all
    expect(k6('tls-to-plain')).toEqual(['0', '1301', 'tls: first record does not look like a TLS handshake']);
    expect(k6('slow')).toEqual(['0', '1050', 'request timeout']);
    expect(k6('close')).toEqual(['0', '1000', 'EOF']);
    // A response >= 400: error_code 1000 + status, no error tag (k6 httpext/transport.go).
    expect(k6('unavailable')).toEqual(['503', '1503', undefined]);
    expect(k6('fine')).toEqual(['200', undefined, undefined]);
  });
});

describe('k6ErrorOf', () => {
  it('maps Node\'s TLS verification codes onto 1310 and 1311 with k6\'s messages', () => {
    for (const code of ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT']) {
      expect(k6ErrorOf('whatever', { code })).toEqual({ code: 1310, message: 'x509: unknown authority' });
    }
    expect(k6ErrorOf("Hostname/IP does not match certificate's altnames", { code: 'ERR_TLS_CERT_ALTNAME_INVALID' })).toEqual({ code: 1311, message: "x509: certificate doesn't match hostname" });
    expect(k6ErrorOf('certificate has expired', { code: 'CERT_HAS_EXPIRED' })).toEqual({ code: 1000, message: 'x509: certificate has expired or is not yet valid' });
  });

  it('maps socket errors by errno and syscall as k6 maps Go\'s net.OpError', () => {
    expect(k6ErrorOf('write EPIPE', { code: 'EPIPE', syscall: 'write', errno: -32 })).toEqual({ code: 1201, message: 'write: broken pipe' });
    expect(k6ErrorOf('connect ETIMEDOUT', { code: 'ETIMEDOUT', syscall: 'connect', errno: -110 })).toEqual({ code: 1211, message: 'dial: i/o timeout' });
    expect(k6ErrorOf('connect EHOSTUNREACH', { code: 'EHOSTUNREACH', syscall: 'connect', errno: -113 }))
      .toEqual({ code: 1213, message: 'dial: unknown errno 113 error with msg `no route to host`' });
    expect(k6ErrorOf('getaddrinfo ENOTFOUND x.invalid', { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'x.invalid' })).toEqual({ code: 1101, message: 'lookup: no such host' });
    // Node's message of a server's TLS alert, as Caddy sends one for a name it has no certificate for.
    const alert = '80DCE240C77F0000:error:0A000438:SSL routines:ssl3_read_bytes:tlsv1 alert internal error:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 80\n';
    expect(k6ErrorOf(alert, { code: 'ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR' })).toEqual({ code: 1010, message: 'remote error: tls: internal error' });
    // TLS 1.3's alert of a server that wants a client certificate (k6 tlsAuth) and got none: Go's text is the same.
    const required = '80CC4119617F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 116\n';
    expect(k6ErrorOf(required, { code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' })).toEqual({ code: 1010, message: 'remote error: tls: certificate required' });
    expect(k6ErrorOf('something new')).toEqual({ code: 1000, message: 'something new' });
  });
});
