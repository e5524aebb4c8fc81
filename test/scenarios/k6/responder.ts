/**
 * Test helper: one pure responder for both sides of the k6-vs-engine comparison, and a real node:http server on
 * 127.0.0.1:0 that answers with it and records every request (for the engine's side).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StandinResponse } from './standins/state.ts';

/**
 * The response to a request: `.../register` returns `{"token":"t-<userId>"}` (503 for user ids starting with
 * `fail`), `.../json` a fixed document,
 * `/status/NNN` that status, anything else 200 "ok".
 * @param method HTTP method
 * @param path path and query
 * @param body request body text
 * @returns status and body
 */
export function respond(method: string, path: string, body: string): StandinResponse {
  const pathname = path.split('?', 1)[0]!;
  const status = /\/status\/(\d{3})$/.exec(pathname);
  if (status) return { status: Number(status[1]), body: 'status' };
  if (method === 'POST' && pathname.endsWith('/register')) {
    const userId = (JSON.parse(body || '{}') as { userId?: string }).userId ?? 'none';
    if (userId.startsWith('fail')) return { status: 503, body: 'unavailable' };
    return { status: 200, body: JSON.stringify({ token: `t-${userId}` }) };
  }
  if (pathname.endsWith('/json')) return { status: 200, body: '{"n":42,"items":[{"id":"a"}]}' };
  return { status: 200, body: 'ok' };
}

/** A request as the server saw it. */
export interface SeenRequest {
  /** HTTP method. */
  method: string;
  /** Path and query. */
  url: string;
  /** Headers (lower-case names). */
  headers: IncomingMessage['headers'];
  /** Body text. */
  body: string;
}

/**
 * Starts a recording server answering with {@link respond}.
 * @returns its base URL, the requests seen in arrival order, and close()
 */
export async function startRecordingServer(): Promise<{ url: string; seen: SeenRequest[]; close(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const r = respond(req.method ?? 'GET', req.url ?? '/', body);
      res.writeHead(r.status, { 'content-type': r.body.startsWith('{') ? 'application/json' : 'text/plain' }).end(r.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
