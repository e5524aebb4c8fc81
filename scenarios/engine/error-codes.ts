/**
 * k6's `error_code` and `error` tags of a request that failed, from what Node reported (k6 v0.48
 * lib/netext/httpext/error_codes.go maps Go's errors the same way): the codes and message texts are k6's, so a
 * threshold or a report filtering `error_code:1310` means the same on both runners.
 */
import { platform } from 'node:os';
import { getSystemErrorMap } from 'node:util';

/** What Node said about a network failure besides its message: the fields of its Error (all optional). */
export interface NetErrorCause {
  /** Node's `err.code`: an errno name (`ECONNREFUSED`), an OpenSSL verify code (`UNABLE_TO_VERIFY_LEAF_SIGNATURE`), `ERR_TLS_*`, `ERR_SSL_*`. */
  code?: string;
  /** Node's `err.syscall`: `connect`, `read`, `write`, `getaddrinfo`. */
  syscall?: string;
  /** Node's `err.errno` (negative on Linux, as libuv has it). */
  errno?: number;
  /** Node's `err.hostname` for a failed name lookup. */
  hostname?: string;
  /** An HTTP/2 failure as Go's transport names it (http2-connection.ts reads it off node:http2's events). */
  http2?: { kind: Http2ErrorKind; code: number };
}

/**
 * Go's HTTP/2 error types k6 gives codes to: `goaway` (http2.GoAwayError: the session ended after the server's
 * GOAWAY), `stream` (http2.StreamError: the stream was reset), `connection` (http2.ConnectionError: the session
 * ended on a protocol error).
 */
export type Http2ErrorKind = 'goaway' | 'stream' | 'connection';

/** A request failure as k6 tags it. */
export interface K6Error {
  /** k6's error code, e.g. 1310 (see {@link K6_ERROR}). */
  code: number;
  /** k6's message (the `error` tag), e.g. `x509: unknown authority`. */
  message: string;
}

/** k6's error codes (lib/netext/httpext/error_codes.go), by k6's own constant names. */
export const K6_ERROR = {
  default: 1000,
  netNonTcp: 1010,
  invalidUrl: 1020,
  requestTimeout: 1050,
  dns: 1100,
  dnsNoSuchHost: 1101,
  tcp: 1200,
  tcpBrokenPipe: 1201,
  netUnknownErrno: 1202,
  tcpDial: 1210,
  tcpDialTimeout: 1211,
  tcpDialRefused: 1212,
  tcpDialUnknownErrno: 1213,
  tcpResetByPeer: 1220,
  tls: 1300,
  tlsHeader: 1301,
  x509UnknownAuthority: 1310,
  x509Hostname: 1311,
  /** Plus 1 + the HTTP/2 error code for the codes RFC 9113 names (up to HTTP_1_1_REQUIRED, 0xd). */
  http2GoAway: 1610,
  /** Plus 1 + the HTTP/2 error code, as for GOAWAY. */
  http2Stream: 1630,
  /** Plus 1 + the HTTP/2 error code, as for GOAWAY. */
  http2Connection: 1650,
} as const;

/** Go's names of the HTTP/2 error codes (golang.org/x/net/http2 ErrCode.String), by code. */
const HTTP2_CODE_NAMES = [
  'NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT', 'STREAM_CLOSED',
  'FRAME_SIZE_ERROR', 'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR', 'CONNECT_ERROR', 'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED',
] as const;

const HTTP2_BASE: Readonly<Record<Http2ErrorKind, number>> = {
  goaway: K6_ERROR.http2GoAway, stream: K6_ERROR.http2Stream, connection: K6_ERROR.http2Connection,
};
const HTTP2_TEXT: Readonly<Record<Http2ErrorKind, string>> = {
  goaway: 'http2: received GoAway with http2 ErrCode',
  stream: 'http2: stream error with http2 ErrCode',
  connection: 'http2: connection error with http2 ErrCode',
};

/**
 * k6's code and message of an HTTP/2 failure (k6 v0.48 errorCodeForError: base + http2ErrCodeOffset).
 * @param kind which of Go's HTTP/2 errors
 * @param code the HTTP/2 error code (RFC 9113 section 7)
 * @returns k6's code (1611 + code for a GOAWAY with a named code, 1610 for an unnamed one; 1630/1650 likewise) and message
 * @example http2ErrorOf('goaway', 11) // { code: 1622, message: 'http2: received GoAway with http2 ErrCode ENHANCE_YOUR_CALM' }
 */
export function http2ErrorOf(kind: Http2ErrorKind, code: number): K6Error {
  const name = HTTP2_CODE_NAMES[code];
  return name === undefined
    ? { code: HTTP2_BASE[kind], message: `${HTTP2_TEXT[kind]} unknown error code 0x${(code >>> 0).toString(16)}` }
    : { code: HTTP2_BASE[kind] + 1 + code, message: `${HTTP2_TEXT[kind]} ${name}` };
}

/**
 * OpenSSL verify results (Node's `err.code`) for which Go's verifier reports x509.UnknownAuthorityError: the chain
 * does not end at a trusted root (self-signed, unknown issuer, or a signature that does not verify).
 */
const UNKNOWN_AUTHORITY = new Set([
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'CERT_SIGNATURE_FAILURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE', 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
]);

/**
 * OpenSSL verify results that Go reports as x509.CertificateInvalidError, which k6 leaves at code 1000 with Go's
 * message: the certificate is known but not valid here.
 */
const INVALID_CERTIFICATE: Readonly<Record<string, string>> = {
  CERT_HAS_EXPIRED: 'x509: certificate has expired or is not yet valid',
  CERT_NOT_YET_VALID: 'x509: certificate has expired or is not yet valid',
  ERROR_IN_CERT_NOT_BEFORE_FIELD: 'x509: certificate has expired or is not yet valid',
  ERROR_IN_CERT_NOT_AFTER_FIELD: 'x509: certificate has expired or is not yet valid',
  INVALID_CA: 'x509: certificate is not authorized to sign other certificates',
  PATH_LENGTH_EXCEEDED: 'x509: too many intermediates for path length constraint',
  INVALID_PURPOSE: 'x509: certificate specifies an incompatible key usage',
  CERT_REVOKED: 'x509: certificate has been revoked',
};

/** Go's (Linux strerror) text where libuv words an errno differently. */
const GO_ERRNO_TEXT: Readonly<Record<string, string>> = {
  EHOSTUNREACH: 'no route to host',
  EADDRNOTAVAIL: 'cannot assign requested address',
  ECONNABORTED: 'software caused connection abort',
};

/** Go's net.OpError `Op` of a Node syscall: k6 prints it in front of reset and broken-pipe messages. */
function opOf(syscall: string | undefined, fallback: string): string {
  if (syscall === 'connect') return 'dial';
  if (syscall === 'read' || syscall === 'write') return syscall;
  return fallback;
}

function errnoText(code: string, errno: number | undefined): string {
  const go = GO_ERRNO_TEXT[code];
  if (go !== undefined) return go;
  const uv = errno === undefined ? undefined : getSystemErrorMap().get(errno);
  return uv?.[1] ?? code;
}

/**
 * OpenSSL's reason in a Node TLS error message: `...:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:...`,
 * or a TLS 1.3 alert (`tlsv13 alert certificate required`: a server that wants a client certificate, k6 tlsAuth).
 */
function alertOf(message: string): string | undefined {
  const m = /(?:sslv3|tlsv13?) alert ([a-z ]+?)(?::|$)/i.exec(message);
  return m?.[1]?.toLowerCase();
}

function fromCause(message: string, cause: NetErrorCause): K6Error | undefined {
  if (cause.http2 !== undefined) return http2ErrorOf(cause.http2.kind, cause.http2.code);
  const code = cause.code;
  if (code === undefined) return undefined;
  if (UNKNOWN_AUTHORITY.has(code)) return { code: K6_ERROR.x509UnknownAuthority, message: 'x509: unknown authority' };
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') {
    return { code: K6_ERROR.x509Hostname, message: "x509: certificate doesn't match hostname" };
  }
  const invalid = INVALID_CERTIFICATE[code];
  if (invalid !== undefined) return { code: K6_ERROR.default, message: invalid };
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_HTTP_REQUEST' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') {
    // A plain-HTTP server answered the handshake (Go: tls.RecordHeaderError).
    return { code: K6_ERROR.tlsHeader, message: 'tls: first record does not look like a TLS handshake' };
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
    // The server's alert reaches Go as a net.OpError without a TCP network, which k6 files under 1010.
    const alert = alertOf(message);
    if (alert !== undefined) return { code: K6_ERROR.netNonTcp, message: `remote error: tls: ${alert}` };
    return { code: K6_ERROR.tls, message };
  }
  if (code === 'ENOTFOUND') return { code: K6_ERROR.dnsNoSuchHost, message: 'lookup: no such host' };
  if (cause.syscall === 'getaddrinfo' || code.startsWith('EAI_')) {
    return { code: K6_ERROR.dns, message: `lookup ${cause.hostname ?? ''}: ${errnoText(code, cause.errno)}`.replace('lookup :', 'lookup:') };
  }
  if (code === 'ECONNRESET') return { code: K6_ERROR.tcpResetByPeer, message: `${opOf(cause.syscall, 'read')}: connection reset by peer` };
  if (code === 'EPIPE') return { code: K6_ERROR.tcpBrokenPipe, message: `${opOf(cause.syscall, 'write')}: broken pipe` };
  if (!/^E[A-Z0-9]+$/.test(code)) return undefined;
  const n = cause.errno === undefined ? undefined : Math.abs(cause.errno);
  if (cause.syscall === 'connect' || code === 'ECONNREFUSED') {
    if (code === 'ECONNREFUSED') return { code: K6_ERROR.tcpDialRefused, message: 'dial: connection refused' };
    if (code === 'ETIMEDOUT') return { code: K6_ERROR.tcpDialTimeout, message: 'dial: i/o timeout' };
    return { code: K6_ERROR.tcpDialUnknownErrno, message: `dial: unknown errno ${n ?? code} error with msg \`${errnoText(code, cause.errno)}\`` };
  }
  const op = opOf(cause.syscall, 'read');
  return { code: K6_ERROR.netUnknownErrno, message: `${op}: unknown errno \`${n ?? code}\` on ${platform()} with message \`${errnoText(code, cause.errno)}\`` };
}

/**
 * k6's error code and message for a request without a response.
 * @param message the engine's failure message (HttpResponse.error)
 * @param cause what Node's Error said besides its message, when the failure came from a socket
 * @returns k6's code and message; 1000 with the message itself for anything k6 has no code for, as k6 does
 * @example k6ErrorOf('connect ECONNREFUSED 127.0.0.1:1', { code: 'ECONNREFUSED', syscall: 'connect' }) // { code: 1212, message: 'dial: connection refused' }
 */
export function k6ErrorOf(message: string | undefined, cause?: NetErrorCause): K6Error {
  const m = message ?? 'request failed';
  const fromNode = cause === undefined ? undefined : fromCause(m, cause);
  if (fromNode !== undefined) return fromNode;
  if (/^request timeout/.test(m)) return { code: K6_ERROR.requestTimeout, message: 'request timeout' };
  // Go's client reads EOF where the engine sees the server close the connection before any response.
  if (m === 'server closed the connection before the response ended') return { code: K6_ERROR.default, message: 'EOF' };
  if (/^(invalid URL|unsupported protocol)/.test(m)) return { code: K6_ERROR.invalidUrl, message: 'invalid URL' };
  return { code: K6_ERROR.default, message: m };
}

/**
 * The Node Error fields {@link k6ErrorOf} reads, copied off an error a socket emitted.
 * @param err the error
 * @returns its code, syscall, errno and hostname (those present)
 */
export function netErrorCauseOf(err: unknown): NetErrorCause {
  const e = err as { code?: unknown; syscall?: unknown; errno?: unknown; hostname?: unknown } | null;
  const out: NetErrorCause = {};
  if (e === null || typeof e !== 'object') return out;
  if (typeof e.code === 'string') out.code = e.code;
  if (typeof e.syscall === 'string') out.syscall = e.syscall;
  if (typeof e.errno === 'number') out.errno = e.errno;
  if (typeof e.hostname === 'string') out.hostname = e.hostname;
  return out;
}
