/**
 * The push endpoint of one data center: `GET /v1/push` upgraded to a WebSocket (the `ws` library, no server of its
 * own: the DC's HTTP server hands it the 'upgrade' event). A handshake is authenticated with the device token
 * (`Authorization: Bearer` or `?token=`), checked against the user's residency rule, admitted by the next node with a
 * free session slot (round robin, skipping full nodes, as a balancer with a per-server connection cap does) and
 * answered 101 after the handshake's modeled CPU time; refusals are plain HTTP JSON answers, then the socket closes.
 * On an open session, heartbeats (ping frames, text pings) and deliveries (messages, echoes) are answered after their
 * modeled CPU time on the session's node (push-node.ts). With the modeled WAN on (the replay's stacks), the 101 and
 * every frame to the device are held back as HTTP answers are (wan.ts): an answer to the device's own frame (a pong,
 * an echo) by a round trip, a message the server pushes by half of one, never overtaking an earlier frame of the
 * session (one TCP stream). A session with no frame from its device for two heartbeat intervals is dropped (reaped),
 * freeing its slot. Metrics go into the DC's registry.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import { type ErrorBody, PUSH_SUBPROTOCOL, type PushEcho, type PushError, type PushMessage, type PushPong } from './api.ts';
import { authenticate, userOfToken } from './auth.ts';
import type { StackData } from './config.ts';
import { HttpError } from './http-error.ts';
import { PUSH_LATENCY_BUCKETS, type Registry } from './metrics.ts';
import type { PushNode } from './push-node.ts';
import { createPushSession, createSessionIndex, type PushSession } from './push-sessions.ts';
import { assertResidency } from './residency.ts';
import type { Store, UserRow } from './store.ts';
import type { WanDelay } from './wan.ts';

/** Options of {@link createPushEndpoint}. */
export interface PushEndpointOptions {
  /** Data center name. */
  dc: string;
  /** The data center's database (tokens, users). */
  store: Store;
  /** The stack's data files (residency rules). */
  data: StackData;
  /** The push services of the DC's emulated nodes; empty: the DC has no push service (handshakes get 404). */
  nodes: PushNode[];
  /** The DC's metrics registry, which gains the `caplab_push_*` families. */
  metrics: Registry;
  /** Called with unexpected errors (bugs), whose handshakes are answered 500; default: ignored. */
  onError?: (err: unknown) => void;
  /** The DC's modeled WAN delay (round trip, ms, by the user's country); absent: none. */
  wan?: WanDelay;
}

/** A data center's push endpoint. */
export interface PushEndpoint {
  /**
   * Takes a WebSocket handshake for `/v1/push` (the caller has matched the path and `Upgrade: websocket`).
   * @param req the request
   * @param socket its socket, detached from the HTTP server
   * @param head bytes read past the request head
   */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * Delivers a stored message to every open session of its recipient on this DC, each after a delivery's modeled
   * CPU time on the session's node.
   * @param userId recipient
   * @param message the message's fields
   * @returns the number of sessions it is being delivered to (0: the recipient is not online here)
   */
  deliver(userId: string, message: Omit<PushMessage, 'type'>): number;
  /**
   * Refuses new handshakes, closes every session (1001, going away) and waits for them, terminating any still open
   * after `graceMs`.
   * @param graceMs how long to wait for the clients' close frames (default 1 s)
   */
  close(graceMs?: number): Promise<void>;
}

// A session silent for this many heartbeat intervals is a departed device (a phone that lost its network sends no
// close frame): the node drops it and frees its slot, as push servers reap sessions on missed heartbeats.
const MISSED_HEARTBEATS = 2;

// Client messages are a type and an id at most: 4 KiB is generous, and a bound keeps one client from making the
// server buffer megabytes (ws closes the session with 1009 past it).
const MAX_CLIENT_MESSAGE_BYTES = 4096;
// RFC 6455 4.1: the key is 16 random bytes in base64.
const WS_KEY = /^[+/0-9A-Za-z]{22}==$/;

const ClientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ping') }),
  z.object({ type: z.literal('echo'), id: z.string().min(1).max(128) }),
]);

/**
 * Creates a data center's push endpoint.
 * @param opts data center, store, data, push nodes, metrics registry
 * @returns the endpoint
 */
export function createPushEndpoint(opts: PushEndpointOptions): PushEndpoint {
  const { dc, store, data, nodes, metrics } = opts;
  const index = createSessionIndex();
  const pending = new Set<Duplex>();
  let next = 0;
  let closing = false;
  // autoPong off: a ping is a heartbeat whose pong must wait for its modeled CPU time, which this code sends.
  const wss = new WebSocketServer({
    noServer: true, autoPong: false, clientTracking: false, perMessageDeflate: false, maxPayload: MAX_CLIENT_MESSAGE_BYTES,
    handleProtocols: (offered) => (offered.has(PUSH_SUBPROTOCOL) ? PUSH_SUBPROTOCOL : false),
  });

  const perNode = (f: (n: PushNode) => number) => () => nodes.map((n, i): [string[], number] => [[String(i)], f(n)]);
  metrics.gauge('caplab_push_sessions', 'Open push sessions, with handshakes holding a slot, by node.', ['node'], perNode((n) => n.stats().sessions));
  metrics.gauge('caplab_push_session_limit', 'Sessions a node holds at most: memory budget / memory per session, or maxConnections when lower.', ['node'], perNode((n) => n.limit));
  metrics.gauge('caplab_push_memory_bytes', 'Modeled memory of the open sessions: sessions x memoryPerConnectionKiB.', ['node'], perNode((n) => n.stats().sessions * n.params.memoryPerConnectionKiB * 1024));
  metrics.gauge('caplab_push_sessions_admitted_total', 'Handshakes admitted to a node\'s session slot.', ['node'], perNode((n) => n.stats().admitted), 'counter');
  const refused = metrics.counter('caplab_push_sessions_refused_total', 'Handshakes refused, by status: 401 token, 451 residency, 503 every node at its session limit, 400/404/405 not a valid handshake.', ['status']);
  const heartbeats = metrics.counter('caplab_push_heartbeats_total', 'Heartbeats answered, by node and kind (frame: a ping control frame; text: {"type":"ping"}).', ['node', 'kind']);
  const reaped = metrics.counter('caplab_push_sessions_reaped_total', 'Sessions dropped after missing their heartbeats (no frame for two intervals), by node.', ['node']);
  const deliveries = metrics.counter('caplab_push_deliveries_total', 'Frames delivered, by node and type (message, echo).', ['node', 'type']);
  const latency = metrics.histogram('caplab_push_delivery_latency_seconds', 'From a delivery\'s arrival (message stored, echo received) to its frame written: wait for a core, modeled CPU time, and the session\'s earlier writes.', ['node', 'type'], PUSH_LATENCY_BUCKETS);
  metrics.gauge('caplab_push_cpu_cores', 'Cores of a node\'s push CPU.', ['node'], perNode((n) => n.stats().cores));
  metrics.gauge('caplab_push_cpu_jobs', 'Push jobs (handshakes, heartbeats, deliveries) waiting for a core or in service, by node.', ['node'], perNode((n) => n.stats().inSystem));
  metrics.gauge('caplab_push_cpu_seconds_total', 'Modeled CPU time of the push jobs done.', ['node'], perNode((n) => n.stats().busyMs / 1000), 'counter');
  metrics.gauge('caplab_push_lateness_seconds_total', 'How much later than modeled the push jobs\' timers fired: large against caplab_push_cpu_seconds_total means the host, not the model, shaped latency.', ['node'], perNode((n) => n.stats().lateMs / 1000), 'counter');

  const refuse = (socket: Duplex, status: number, body: ErrorBody, headers: Record<string, string> = {}): void => {
    refused.inc([String(status)]);
    const text = JSON.stringify(body);
    const head = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`, 'Connection: close', 'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(text)}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    // As ws's own refusals: end, then destroy once written, without waiting for the client's FIN.
    socket.once('finish', () => socket.destroy());
    socket.end(`${head.join('\r\n')}\r\n\r\n${text}`);
  };

  const admit = (): number | undefined => {
    for (let k = 0; k < nodes.length; k++) {
      const i = (next + k) % nodes.length;
      if (nodes[i]!.admit()) {
        next = (i + 1) % nodes.length;
        return i;
      }
    }
    return undefined;
  };

  const observe = (s: PushSession, type: 'message' | 'echo') => (ms: number | undefined): void => {
    if (ms === undefined) return;
    deliveries.inc([String(s.nodeIndex), type]);
    latency.observe([String(s.nodeIndex), type], ms / 1000);
  };

  const open = (ws: WebSocket, user: UserRow, nodeIndex: number): void => {
    const node = nodes[nodeIndex]!;
    const s = createPushSession(ws, user.id, node, nodeIndex);
    index.add(s);
    const label = String(nodeIndex);
    const out = wanOut(opts.wan, user.country);
    const send = (m: PushPong | PushEcho | PushError): void => out(1, () => ws.send(JSON.stringify(m)));
    s.toDevice = (frame) => out(0.5, () => ws.send(frame));
    // Any frame from the device shows it is there; silence for MISSED_HEARTBEATS intervals drops the session.
    const silence = setTimeout(() => {
      reaped.inc([label]);
      ws.terminate();
    }, MISSED_HEARTBEATS * node.params.heartbeatIntervalS * 1000);
    silence.unref();
    ws.on('ping', () => silence.refresh());
    ws.on('message', () => silence.refresh());
    ws.on('ping', (payload) => {
      void s.schedule('heartbeat', () => out(1, () => ws.pong(payload))).then((ms) => {
        if (ms !== undefined) heartbeats.inc([label, 'frame']);
      });
    });
    ws.on('message', (raw, isBinary) => {
      if (isBinary) {
        ws.close(1003, 'binary frames are not supported; send JSON text');
        return;
      }
      const parsed = parseClientMessage(raw);
      if (typeof parsed === 'string') {
        send({ type: 'error', error: 'invalid_message', detail: parsed });
      } else if (parsed.type === 'ping') {
        void s.schedule('heartbeat', () => send({ type: 'pong' })).then((ms) => {
          if (ms !== undefined) heartbeats.inc([label, 'text']);
        });
      } else {
        void s.schedule('delivery', () => send({ type: 'echo', id: parsed.id, sentAt: Date.now() })).then(observe(s, 'echo'));
      }
    });
    ws.on('error', () => {
      // A protocol error or reset: ws closes the socket and 'close' follows.
    });
    ws.on('close', () => {
      clearTimeout(silence);
      index.remove(s);
      node.release();
    });
  };

  return {
    upgrade(req, socket, head) {
      // From here on nothing else listens on the socket: an ECONNRESET while the handshake waits must not crash us.
      socket.on('error', () => socket.destroy());
      if (closing) {
        socket.destroy();
        return;
      }
      let user: UserRow;
      try {
        user = checkHandshake(req, store, data, dc, nodes.length > 0);
      } catch (err) {
        if (err instanceof HttpError) refuse(socket, err.status, err.body, err.headers);
        else {
          opts.onError?.(err);
          refuse(socket, 500, { error: 'internal', detail: 'unexpected server error' });
        }
        return;
      }
      const nodeIndex = admit();
      if (nodeIndex === undefined) {
        // Slots free as departed devices' sessions are reaped after missed heartbeats: about one interval.
        const retryAfter = Math.max(1, Math.ceil(nodes[0]!.params.heartbeatIntervalS));
        refuse(socket, 503, { error: 'overloaded', detail: `every push node of ${dc} holds its limit of sessions (${nodes.map((n) => n.limit).join(', ')}); retry after ${retryAfter} s` },
          { 'Retry-After': String(retryAfter) });
        return;
      }
      const node = nodes[nodeIndex]!;
      pending.add(socket);
      let held = true;
      const giveBack = (): void => {
        pending.delete(socket);
        if (held) node.release();
        held = false;
      };
      socket.once('close', giveBack);
      void node.work('handshake').then(async () => {
        const rtt = opts.wan?.(user.country) ?? 0;
        if (rtt > 0) await new Promise((r) => setTimeout(r, rtt));
        if (!held || socket.destroyed) return giveBack();
        wss.handleUpgrade(req, socket, head, (ws) => {
          // The slot now belongs to the session, released on its 'close'.
          socket.off('close', giveBack);
          pending.delete(socket);
          held = false;
          open(ws, user, nodeIndex);
        });
      }).catch((err: unknown) => {
        opts.onError?.(err);
        socket.destroy();
      });
    },
    deliver(userId, message) {
      const sessions = index.of(userId);
      const frame = JSON.stringify({ type: 'message', ...message } satisfies PushMessage);
      for (const s of sessions) void s.schedule('delivery', () => s.toDevice(frame)).then(observe(s, 'message'));
      return sessions.length;
    },
    async close(graceMs = 1000) {
      closing = true;
      for (const socket of pending) socket.destroy();
      const sessions = index.all();
      const closed = Promise.all(sessions.map((s) => new Promise<void>((resolve) => {
        s.ws.once('close', () => resolve());
        s.ws.close(1001, 'server stopping');
      })));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      for (const s of sessions) s.ws.terminate();
      await closed;
    },
  };
}

/**
 * Everything a handshake must pass before it may take a slot, cheapest first.
 * @throws {HttpError} 404 (no push service), 405, 400 (not a WebSocket handshake ws would accept), 401, 451
 */
function checkHandshake(req: IncomingMessage, store: Store, data: StackData, dc: string, served: boolean): UserRow {
  if (!served) throw new HttpError(404, 'not_found', `no push service in ${dc}: its node profile has no push block in data/hardware.json`);
  if (req.method !== 'GET') throw new HttpError(405, 'method_not_allowed', `${(req.method ?? '').slice(0, 20)} is not allowed on /v1/push; use GET`, {}, { Allow: 'GET' });
  // ws checks these too, but only after the handshake's modeled CPU time; checked here they answer at once, in JSON.
  const key = req.headers['sec-websocket-key'];
  if (key === undefined || !WS_KEY.test(key)) throw new HttpError(400, 'invalid_request', 'missing or invalid Sec-WebSocket-Key header');
  const version = req.headers['sec-websocket-version'];
  if (version !== '13' && version !== '8') {
    throw new HttpError(400, 'invalid_request', 'missing or unsupported Sec-WebSocket-Version header (13 or 8)', {}, { 'Sec-WebSocket-Version': '13, 8' });
  }
  const target = req.url ?? '';
  const q = target.indexOf('?');
  const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
  let user: UserRow;
  if (req.headers.authorization !== undefined) user = authenticate(req, store);
  else if (query.has('token')) user = userOfToken(query.get('token') ?? undefined, store);
  else throw new HttpError(401, 'unauthorized', 'missing token: send Authorization: Bearer <token>, or ?token=<token> from a browser', {}, { 'WWW-Authenticate': 'Bearer' });
  assertResidency(data.residency, user.country, dc);
  return user;
}

/**
 * Parses a client text frame.
 * @returns the message, or a one-line problem
 */
function parseClientMessage(raw: RawData): z.output<typeof ClientMessageSchema> | string {
  const bytes = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
  const text = bytes.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON: send {"type":"ping"} or {"type":"echo","id":"..."}';
  }
  const r = ClientMessageSchema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  return `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}; send {"type":"ping"} or {"type":"echo","id":"..."}`;
}

/**
 * A session's way out to its device under the modeled WAN: each frame is sent after `share` of a round-trip draw
 * (1 for an answer to the device's frame, 0.5 for a frame the server starts), and not before the session's previous
 * frame, since one TCP stream delivers in order. Without a WAN, at once.
 */
function wanOut(wan: WanDelay | undefined, country: string): (share: number, write: () => void) => void {
  if (!wan) return (_share, write) => write();
  let notBefore = 0;
  return (share, write) => {
    const at = Math.max(performance.now() + share * wan(country), notBefore);
    notBefore = at;
    const ms = at - performance.now();
    if (ms <= 0) write();
    else setTimeout(write, ms);
  };
}
