/**
 * One data center's HTTP server: routes each request to one of its emulated nodes (round robin), answers /healthz
 * and /metrics outside the nodes' queues (so they keep answering under overload), turns every expected failure
 * into a 4xx JSON `{error, detail}`, and holds responses back by the modeled WAN round trip (telling the client how
 * long in an `X-Caplab-Wan-Ms` header). WebSocket handshakes on /v1/push go to the push endpoint (push-endpoint.ts);
 * any other Upgrade request is served as plain HTTP (plain-upgrade.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type HealthResponse, PUSH_PATH } from './api.ts';
import { authenticate } from './auth.ts';
import { parseJsonBody, readBody } from './body.ts';
import { nowNs, sleepMs } from './clock.ts';
import type { StackData } from './config.ts';
import { HttpError } from './http-error.ts';
import { createRegistry, LATENCY_BUCKETS, PROMETHEUS_CONTENT_TYPE } from './metrics.ts';
import type { EmulatedNode } from './node.ts';
import { serveWithoutUpgrade } from './plain-upgrade.ts';
import { createPushEndpoint } from './push-endpoint.ts';
import type { PushNode } from './push-node.ts';
import type { RouteContext } from './route.ts';
import { matchRoute, ROUTES } from './router.ts';
import type { Store, UserRow } from './store.ts';
import type { WanDelay } from './wan.ts';

/** Options of {@link startDcServer}. */
export interface DcServerOptions {
  /** Data center name. */
  dc: string;
  /** Host to bind (127.0.0.1 for the lab). */
  host: string;
  /** Port, 0 for any free one. */
  port: number;
  /** The data center's database (the caller closes it after {@link DcServer.stop}). */
  store: Store;
  /** The stack's data files. */
  data: StackData;
  /** The emulated nodes behind this server (at least one). */
  nodes: EmulatedNode[];
  /** The push services of those nodes (`GET /v1/push`); omit or leave empty for a DC without one. */
  push?: PushNode[];
  /** Delays responses by the modeled RTT of the client's country; omit for no WAN delay. */
  wan?: WanDelay;
  /** Called with unexpected errors (bugs), which are answered 500; default: ignored. */
  onError?: (err: unknown) => void;
}

/** A running data center server. */
export interface DcServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /**
   * Stops accepting connections, lets in-flight requests finish (up to `graceMs`), then closes every connection and
   * every push session (close code 1001).
   * @param graceMs how long to wait for in-flight requests (default 10 s)
   */
  stop(graceMs?: number): Promise<void>;
}

const KNOWN_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

interface Reply {
  status: number;
  body: string;
  contentType: string;
  headers: Record<string, string>;
}

const json = (status: number, value: unknown, headers: Record<string, string> = {}): Reply =>
  ({ status, body: JSON.stringify(value), contentType: 'application/json; charset=utf-8', headers });

/**
 * Starts one data center's server.
 * @param opts data center, address, store, data, nodes, WAN switch
 * @returns its URL and stop function
 * @throws {Error} when the port cannot be bound (e.g. EADDRINUSE)
 */
export async function startDcServer(opts: DcServerOptions): Promise<DcServer> {
  const { dc, store, data, nodes } = opts;
  if (nodes.length === 0) throw new RangeError('startDcServer: at least one node is required');
  const limits = data.services.limits;
  const metrics = createRegistry({ dc });
  const requests = metrics.counter('caplab_http_requests_total', 'HTTP requests answered, by route, method and status.', ['route', 'method', 'status']);
  const latency = metrics.histogram('caplab_http_request_duration_seconds', 'Time from request arrival to response end (queueing, emulated service, WAN delay), by route and status.', ['route', 'status'], LATENCY_BUCKETS);
  const shedCount = metrics.counter('caplab_requests_shed_total', 'Requests refused with 503 because the node queue was full, by route.', ['route']);
  let inFlight = 0;
  metrics.gauge('caplab_http_requests_in_flight', 'Requests received and not yet answered.', [], () => [[[], inFlight]]);
  metrics.gauge('caplab_node_queue_depth', 'Requests waiting for a worker, by node.', ['node'], () => nodes.map((n, i) => [[String(i)], n.stats().queued]));
  metrics.gauge('caplab_node_busy_workers', 'Workers busy, by node.', ['node'], () => nodes.map((n, i) => [[String(i)], n.stats().busy]));
  metrics.gauge('caplab_node_workers', 'Workers (W), by node.', ['node'], () => nodes.map((n, i) => [[String(i)], n.params.workers]));
  // Counters kept by the nodes themselves, read at scrape time like the gauges.
  metrics.gauge('caplab_node_served_total', 'Requests served by the node.', ['node'], () => nodes.map((n, i) => [[String(i)], n.stats().served]), 'counter');
  metrics.gauge('caplab_node_modeled_seconds_total', 'Modeled service time of the served requests.', ['node'], () => nodes.map((n, i) => [[String(i)], n.stats().modeledMs / 1000]), 'counter');
  metrics.gauge('caplab_node_lateness_seconds_total', 'How much longer than modeled the emulated waits took: timer granularity plus host event-loop stalls. Large against caplab_node_modeled_seconds_total means the host, not the model, shaped the curve.', ['node'], () => nodes.map((n, i) => [[String(i)], n.stats().lateMs / 1000]), 'counter');

  const push = createPushEndpoint({ dc, store, data, nodes: opts.push ?? [], metrics, ...(opts.onError ? { onError: opts.onError } : {}), ...(opts.wan ? { wan: opts.wan } : {}) });

  let next = 0;
  let drained: (() => void) | undefined;

  const dispatch = async (req: IncomingMessage, setRoute: (r: string) => void, country: { value?: string }): Promise<Reply> => {
    const method = req.method ?? 'GET';
    // Split the target by hand rather than with `new URL`: it is on every request's path (a third of /healthz's
    // cost), and routes match the raw path anyway; an absolute-form or odd target simply matches no route.
    const target = req.url ?? '/';
    const qmark = target.indexOf('?');
    const path = qmark < 0 ? target : target.slice(0, qmark);
    if (path === '/healthz' || path === '/metrics') {
      setRoute(path.slice(1));
      if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method_not_allowed', `${method.slice(0, 20)} is not allowed on ${path}; use GET`, {}, { Allow: 'GET, HEAD' });
      if (path === '/metrics') return { status: 200, body: metrics.render(), contentType: PROMETHEUS_CONTENT_TYPE, headers: {} };
      const h: HealthResponse = { status: 'ok', dc, nodes: nodes.map((n) => {
        const s = n.stats();
        return { busy: s.busy, queued: s.queued, workers: s.workers, queue: s.queue };
      }) };
      return json(200, h);
    }
    if (path === PUSH_PATH) {
      // Reached only without `Upgrade: websocket` (the handshake goes through the 'upgrade' event).
      setRoute('push');
      if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method_not_allowed', `${method.slice(0, 20)} is not allowed on ${path}; use GET`, {}, { Allow: 'GET' });
      throw new HttpError(426, 'upgrade_required', `${path} is a WebSocket endpoint: send Upgrade: websocket (subprotocol caplab.push.v1)`, {}, { Upgrade: 'websocket' });
    }
    const header = req.headers['x-client-country'];
    if (header !== undefined) {
      if (typeof header !== 'string' || !/^[A-Z]{2}$/.test(header)) {
        throw new HttpError(400, 'invalid_request', 'X-Client-Country must be an ISO 3166-1 alpha-2 code in capitals, e.g. SG');
      }
      country.value = header;
    }
    const { route, params } = matchRoute(ROUTES, method, path);
    setRoute(route.name);
    const bytes = route.method === 'POST' ? await readBody(req, limits.maxBodyBytes) : Buffer.alloc(0);
    let user: UserRow | undefined;
    const ctx: RouteContext = {
      dc, store, data, req, params, query: new URLSearchParams(qmark < 0 ? '' : target.slice(qmark + 1)),
      json: () => parseJsonBody(bytes, req.headers['content-type']),
      user() {
        user ??= authenticate(req, store);
        country.value ??= user.country;
        return user;
      },
      setClientCountry(c) {
        country.value ??= c;
      },
      push,
    };
    const node = nodes[next]!;
    next = (next + 1) % nodes.length;
    try {
      const result = await node.run(route.name, () => route.handle(ctx));
      return json(result.status, result.body);
    } catch (err) {
      if (err instanceof HttpError && err.status === 503) shedCount.inc([route.name]);
      throw err;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const t0 = nowNs();
    inFlight++;
    let route = 'unmatched';
    const country: { value?: string } = {};
    let reply: Reply;
    try {
      reply = await dispatch(req, (r) => (route = r), country);
    } catch (err) {
      if (err instanceof HttpError) {
        reply = json(err.status, err.body, err.headers);
        // An unread oversized body would otherwise be drained before the socket could serve another request.
        if (err.status === 413 && !req.complete) reply.headers.Connection = 'close';
      } else {
        opts.onError?.(err);
        reply = json(500, { error: 'internal', detail: 'unexpected server error' });
      }
    }
    try {
      if (opts.wan && route !== 'healthz' && route !== 'metrics') {
        const ms = opts.wan(country.value);
        if (ms > 0) {
          // Told to the client so a load report can separate modeled network time from server time.
          reply.headers['X-Caplab-Wan-Ms'] = ms.toFixed(1);
          await sleepMs(ms);
        }
      }
      if (!res.destroyed) {
        res.writeHead(reply.status, { 'Content-Type': reply.contentType, 'Content-Length': Buffer.byteLength(reply.body), ...reply.headers });
        res.end(req.method === 'HEAD' ? undefined : reply.body);
      }
    } finally {
      const method = KNOWN_METHODS.has(req.method ?? '') ? req.method! : 'other';
      requests.inc([route, method, String(reply.status)]);
      latency.observe([route, String(reply.status)], Number(nowNs() - t0) / 1e9);
      inFlight--;
      if (inFlight === 0) drained?.();
    }
  };

  const server: Server = createServer({ keepAliveTimeout: 10_000 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      opts.onError?.(err);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const target = req.url ?? '/';
    const qmark = target.indexOf('?');
    const path = qmark < 0 ? target : target.slice(0, qmark);
    if (path === PUSH_PATH && req.headers.upgrade?.toLowerCase() === 'websocket') push.upgrade(req, socket, head);
    else serveWithoutUpgrade(server, req, socket, head);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${opts.host}:${addr.port}`,
    async stop(graceMs = 10_000) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => (drained = resolve)),
          new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref()),
        ]);
      }
      server.closeAllConnections();
      await Promise.all([closed, push.close()]);
    },
  };
}
