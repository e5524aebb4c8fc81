/**
 * A VU's new connection to an https origin: one TCP connect and one TLS handshake offering `h2` and `http/1.1` by
 * ALPN, as Go's HTTP/2-enabled transport (k6) offers them. The caller then speaks HTTP/2 on it when the server chose
 * `h2` (http2-connection.ts) and HTTP/1.1 otherwise, also when the server chose nothing (http1-connection.ts), as Go
 * does. k6's timing points of a new connection: name lookup (part of blocked only), TCP connect (connecting) and the
 * handshake (tls_handshaking).
 */
import { isIP, type LookupFunction, connect as netConnect, type Socket } from 'node:net';
import { timedLookup } from './timed-lookup.ts';
import { type SecureContext, connect as tlsConnect, type TLSSocket } from 'node:tls';
import { type NetErrorCause, netErrorCauseOf } from './error-codes.ts';

/** Where to dial (an Http1Target is one). */
export interface TlsTarget {
  /** Host name or address: SNI for a name, and what the certificate must name. */
  host: string;
  /** TCP port. */
  port: number;
  /** Accept any server certificate (k6 `insecureSkipTLSVerify`); default false. */
  insecureSkipTLSVerify?: boolean;
  /** Where to connect instead of looking `host` up (k6 `hosts`); SNI and the certificate check keep `host`. */
  address?: { host: string; port: number };
  /** TLS versions, ciphers and client certificate (k6 tlsVersion, tlsCipherSuites, tlsAuth); default Node's, which are Go's. */
  secureContext?: SecureContext;
}

/** Go's ALPN offer with HTTP/2 configured (k6 js/runner.go: http2.ConfigureTransport). */
const ALPN = ['h2', 'http/1.1'];

/** The application protocol of a dialed connection. */
export type TlsProtocol = 'h2' | 'http/1.1';

/** Called once with the dial, connected or failed (see {@link TlsDial.error}). */
export type Dialed = (d: TlsDial) => void;

/** One dial; read its fields in the callback. */
export class TlsDial {
  /** The TLS socket (hand it over on success; destroyed on failure). */
  readonly socket: TLSSocket;
  /** The TCP socket under TLS: its counters are bytes on the wire (handshake and records included), as k6's data_sent/data_received. */
  readonly raw: Socket;
  /** What the server chose: `h2`, else `http/1.1` (also when it chose nothing, as Go falls back). */
  protocol: TlsProtocol = 'http/1.1';
  /** TCP connect time, ms (also when the handshake then failed, as k6 counts it). */
  connectMs = 0;
  /** Handshake time, ms (0 when it failed). */
  tlsMs = 0;
  /** When it connected or failed, performance.now() ms. */
  tEnd = 0;
  /** Failure message; undefined when connected. */
  error: string | undefined;
  /** What Node's Error said besides its message (for k6's error_code). */
  errorCause: NetErrorCause | undefined;
  #done: Dialed | undefined;
  readonly #t0 = performance.now();
  #tTcp = 0;
  #dnsMs = 0;
  readonly #lookup: LookupFunction = timedLookup((ms) => {
    this.#dnsMs = ms;
  });
  readonly #onError = (err: Error): void => this.#finish(err.message || String(err), netErrorCauseOf(err));
  readonly #onEnd = (): void => { this.socket.destroy(); };
  readonly #onClose = (): void => this.#finish('server closed the connection before the response ended');

  /**
   * Starts connecting.
   * @param target host, port, `insecureSkipTLSVerify`, and the `hosts` address and TLS settings when given
   * @param done called once, connected or failed
   */
  constructor(target: TlsTarget, done: Dialed) {
    this.#done = done;
    // TLS over a TCP socket of our own, whose counters are the bytes on the wire.
    const to = target.address ?? target;
    const raw = netConnect({ host: to.host, port: to.port, noDelay: true, lookup: this.#lookup });
    // `host` is what the certificate is checked against (Node falls back to 'localhost' without it): an IP address
    // against the certificate's IP SANs, a name against its DNS SANs; SNI only for a name, as Go (k6) sends it.
    const ip = isIP(target.host) !== 0;
    const s = tlsConnect({
      socket: raw, host: target.host, ...(ip ? {} : { servername: target.host }), ALPNProtocols: ALPN,
      rejectUnauthorized: target.insecureSkipTLSVerify !== true,
      ...(target.secureContext !== undefined ? { secureContext: target.secureContext } : {}),
    });
    raw.once('connect', () => { this.#tTcp = performance.now(); });
    raw.on('error', () => {}); // reported through the TLS socket
    s.once('secureConnect', () => {
      if (s.alpnProtocol === 'h2') this.protocol = 'h2';
      this.#finish(undefined);
    });
    s.on('error', this.#onError);
    s.on('end', this.#onEnd);
    s.on('close', this.#onClose);
    this.raw = raw;
    this.socket = s;
  }

  /** Bytes written on the wire (a failed dial's handshake counts too). */
  get bytesWritten(): number {
    return this.raw.bytesWritten;
  }

  /** Bytes read on the wire. */
  get bytesRead(): number {
    return this.raw.bytesRead;
  }

  /**
   * Gives up (timeout, interrupt, VU closed): the dial fails with `reason` and its sockets close.
   * @param reason the failure message
   */
  abort(reason: string): void {
    this.#finish(reason);
  }

  #finish(error: string | undefined, cause?: NetErrorCause): void {
    const done = this.#done;
    if (done === undefined) return;
    this.#done = undefined;
    const now = performance.now();
    this.tEnd = now;
    const s = this.socket;
    s.removeListener('error', this.#onError);
    s.removeListener('end', this.#onEnd);
    s.removeListener('close', this.#onClose);
    if (this.#tTcp !== 0) this.connectMs = this.#tTcp - this.#t0 - this.#dnsMs;
    if (error === undefined) {
      // 'connect' can come in the same turn as 'secureConnect': then all of it is connecting.
      if (this.#tTcp === 0) this.connectMs = now - this.#t0 - this.#dnsMs;
      else this.tlsMs = now - this.#tTcp;
    } else {
      this.error = error;
      this.errorCause = cause;
      s.on('error', () => {}); // a late error of the destroyed socket is nobody's
      s.destroy();
      this.raw.destroy();
    }
    done(this);
  }
}
