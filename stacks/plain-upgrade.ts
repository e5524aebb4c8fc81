/**
 * Serving an Upgrade request the stack does not take (anything but a WebSocket handshake on /v1/push, e.g. curl's
 * `Upgrade: h2c`) as the plain HTTP/1.1 request it also is. Once a server listens for 'upgrade', Node hands it every
 * request carrying Upgrade with the socket already detached from the HTTP parser, body unread; RFC 9110 (7.8) lets a
 * server ignore the header, and this puts the request back as if it had come without it: the request head is written
 * again without Upgrade (and the Connection tokens naming it), pushed back onto the socket ahead of the bytes already
 * read, and the socket is handed to the server as a new connection ('connection' is documented as injectable), so
 * the body, keep-alive and every later request on the socket go through the ordinary parser and handler.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

// Hop-by-hop headers of the upgrade itself: once they are gone the parser sees an ordinary request and never loops.
const UPGRADE_HEADERS = new Set(['upgrade', 'http2-settings']);

/**
 * Hands an Upgrade request back to the server as a plain request.
 * @param server the HTTP server that emitted 'upgrade'
 * @param req the request
 * @param socket its socket
 * @param head bytes read past the request head (start of the body or of the next request)
 */
export function serveWithoutUpgrade(server: Server, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/${req.httpVersion}`];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (UPGRADE_HEADERS.has(lower)) continue;
    let value = raw[i + 1]!;
    if (lower === 'connection') {
      value = value.split(',').map((t) => t.trim()).filter((t) => t !== '' && !UPGRADE_HEADERS.has(t.toLowerCase())).join(', ');
      if (value === '') continue;
    }
    lines.push(`${name}: ${value}`);
  }
  socket.unshift(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), head]));
  server.emit('connection', socket);
}
