/**
 * What a request of the engine's HTTP client (vu-http.ts) gives back, with k6's timing breakdown of it (blocked,
 * connecting, tls_handshaking, sending, waiting, receiving; duration = sending + waiting + receiving) and its protocol
 * (`proto`, k6's tag: `HTTP/2.0` or `HTTP/1.1`).
 */
import type { NetErrorCause } from './error-codes.ts';
import type { HttpRequest } from './http-request.ts';

/** k6's timing breakdown of one request, milliseconds. */
export interface HttpTimings {
  /** Waiting for a connection, including connecting (k6 `http_req_blocked`). */
  blocked: number;
  /** TCP connect of a new connection made for this request, else 0. */
  connecting: number;
  /** TLS handshake of a new connection, else 0. */
  tlsHandshaking: number;
  /** Writing the request. */
  sending: number;
  /** Request written to first response byte (TTFB). */
  waiting: number;
  /** First to last response byte. */
  receiving: number;
  /** sending + waiting + receiving (k6 `http_req_duration`). */
  duration: number;
}

/** What came back; `status` 0 when no response (connection refused, timeout, interrupted). */
export interface HttpResponse {
  /** HTTP status, or 0 for a network error. */
  status: number;
  /** Response body when {@link HttpRequest.keepBody}, else empty. */
  body: Buffer;
  /** Response body size in bytes (counted even when not kept). */
  bodySize: number;
  /** Timing breakdown, ms. */
  timings: HttpTimings;
  /** Network error message when status is 0. */
  error?: string;
  /** What Node's Error said besides its message, when a socket failed (k6's error_code comes from it). */
  errorCause?: NetErrorCause;
  /** Monotonic time (performance.now(), ms) when the response ended or failed. */
  endedAt: number;
  /** The protocol of the response, as k6's `proto` tag has it (absent: HTTP/1.1). */
  proto?: HttpProto;
  /**
   * Response header lines (`Name: value`, CRLF-separated, UTF-8) when {@link HttpRequest.keepHeaders}, and of every
   * 3xx response and every response with a Set-Cookie; read them with headers.ts headerValue.
   */
  head?: string;
  /** The response's Set-Cookie header values, when it has any (the VU's cookie jar stores them), read from `head`. */
  setCookies?: string[];
}

/** k6's `proto` tag values: Go's Response.Proto. */
export type HttpProto = 'HTTP/1.1' | 'HTTP/2.0';

/**
 * A request that got no connection (refused, DNS, TLS failure, timeout or interrupt while connecting, or refused
 * before any: bad header, closed VU): as in k6, all its time is blocked and nothing was sent, so duration is 0.
 * @param t0 when the request started, performance.now() ms
 * @param end when it failed, performance.now() ms
 * @param error the failure message, if any
 * @param connectMs time spent connecting, ms
 * @param tlsMs time spent in TLS handshakes, ms
 * @param cause what Node's Error said besides its message
 * @returns a status 0 response
 */
export function unconnected(t0: number, end: number, error: string | undefined, connectMs: number, tlsMs: number, cause?: NetErrorCause): HttpResponse {
  const blocked = end - t0;
  const connecting = Math.min(connectMs, blocked);
  const res: HttpResponse = {
    status: 0, body: EMPTY, bodySize: 0, endedAt: end,
    timings: { blocked, connecting, tlsHandshaking: Math.min(tlsMs, blocked - connecting), sending: 0, waiting: 0, receiving: 0, duration: 0 },
  };
  if (error !== undefined) res.error = error;
  if (cause !== undefined) res.errorCause = cause;
  return res;
}

const EMPTY = Buffer.alloc(0);
