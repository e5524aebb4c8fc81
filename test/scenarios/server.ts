/**
 * Test helpers for the engine: a real HTTP server on 127.0.0.1:0 with a few routes, and a sink collecting samples.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sample, SampleSink } from '../../scenarios/engine/metrics/types.ts';

/** A running test server. */
export interface TestServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Requests seen per path (without query). */
  hits: Map<string, number>;
  /** Bodies and headers of requests, in arrival order (bounded to the first 10,000). */
  seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
  /** Connections accepted. */
  connections: number;
  /** Stops the server (and its keep-alive connections). */
  close(): Promise<void>;
}

/**
 * Starts the server. Routes: `/ok`, `/slow?ms=N`, `/status/<code>`, `POST /register` (returns `{"token":"t-<userId>"}`),
 * `/json` (returns `{"n":42,"items":[{"id":"a"}]}`), anything else 200 "ok".
 */
export async function startServer(): Promise<TestServer> {
  const hits = new Map<string, number>();
  const seen: TestServer['seen'] = [];
  const state = { connections: 0 };
  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const u = new URL(req.url ?? '/', 'http://x');
    hits.set(u.pathname, (hits.get(u.pathname) ?? 0) + 1);
    if (seen.length < 10_000) seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    const status = /^\/status\/(\d{3})$/.exec(u.pathname);
    if (status) {
      res.writeHead(Number(status[1]), { 'content-type': 'text/plain' }).end('status');
    } else if (u.pathname === '/slow') {
      setTimeout(() => res.writeHead(200).end('slow'), Number(u.searchParams.get('ms') ?? 100));
    } else if (u.pathname.endsWith('/register')) {
      const userId = (JSON.parse(body || '{}') as { userId?: string }).userId ?? 'none';
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `t-${userId}` }));
    } else if (u.pathname === '/json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"n":42,"items":[{"id":"a"}]}');
    } else {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    }
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', () => { state.connections++; });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    seen,
    get connections() { return state.connections; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A sink that keeps copies of samples, and sums per metric. */
export class CollectingSink implements SampleSink {
  /** Every sample (copied). */
  readonly samples: Sample[] = [];
  /** @inheritdoc */
  add(sample: Sample): void {
    this.samples.push({ metric: sample.metric, time: sample.time, value: sample.value, tags: sample.tags });
  }
  /** Samples of a metric, optionally filtered by tags. */
  of(metric: string, tags: Record<string, string> = {}): Sample[] {
    return this.samples.filter((s) => s.metric.name === metric && Object.entries(tags).every(([k, v]) => s.tags[k] === v));
  }
  /** Sum of a metric's values. */
  sum(metric: string, tags: Record<string, string> = {}): number {
    return this.of(metric, tags).reduce((t, s) => t + s.value, 0);
  }
  /** Count of a metric's samples. */
  count(metric: string, tags: Record<string, string> = {}): number {
    return this.of(metric, tags).length;
  }
}

/** A minimal valid spec object around the given scenarios and flows. */
export function specOf(baseUrl: string, scenarios: Record<string, unknown>, flows: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schema: 'caplab.scenario/v1', name: 'test', baseUrl, options: { scenarios }, flows, ...extra };
}
