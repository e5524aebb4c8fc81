/**
 * One WebSocket session of a flow step, with k6/ws semantics (js/modules/k6/ws): the handshake (its status, 101 when
 * it succeeds), then the step's actions in order (send a text, wait for a message, ping and wait for the pong, hold
 * the session open) while a heartbeat pings or sends every interval, then a close. It reports what k6 measures:
 * ws_sessions and ws_connecting when the session opens, ws_msgs_sent and ws_msgs_received per message, ws_ping per
 * pong, ws_session_duration when it ends, and the bytes the socket moved. Messages are counted, not kept (a `receive`
 * looks at each one as it arrives), so a held session costs the socket and its buffers only. Uses the `ws` library.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import WebSocket from 'ws';

/** One action, rendered. */
export type WsAction =
  | { kind: 'send'; text: () => string }
  | { kind: 'receive'; contains?: string; timeoutMs: number }
  | { kind: 'ping'; timeoutMs: number }
  | { kind: 'hold'; ms: number };

/** What a session is asked to do. */
export interface WsSessionRequest {
  /** ws:// or wss:// URL. */
  url: string;
  /** Header name, value pairs of the handshake. */
  headers: readonly (readonly [string, string])[];
  subprotocols?: readonly string[];
  /** Handshake timeout, ms. */
  timeoutMs: number;
  actions: readonly WsAction[];
  /** Every `everyMs`: a ping, or the text. */
  heartbeat?: { everyMs: number; text?: () => string };
  /** Accept any TLS certificate (k6 `insecureSkipTLSVerify`). */
  insecure?: boolean;
  /** Largest message accepted, bytes (a bigger one closes the session with 1009, as `ws` does). */
  maxPayload?: number;
}

/** What happens during a session, reported as it happens (performance.now() times). */
export interface WsEvents {
  /**
   * The handshake ended, opened or not (k6 emits ws_sessions and ws_connecting either way): the status (0 when no
   * HTTP response came), the subprotocol the server chose (''), the handshake's time and its start.
   */
  opened(status: number, subprotocol: string, connectingMs: number, startedAt: number): void;
  sent(at: number): void;
  received(at: number): void;
  pong(rttMs: number, at: number): void;
  /**
   * A `receive` action's outcome: whether a (matching) message came in time, and when it did, the reply time: from the
   * last text this session sent before it (or from the open, when none was sent) to the message, ms.
   */
  awaited(index: number, ok: boolean, at: number, replyMs?: number): void;
}

/** How a session ended. */
export interface WsOutcome {
  /** Handshake status: 101, the HTTP status the server answered instead, or 0 when it never answered. */
  status: number;
  /** Why it failed or closed early, if it did. */
  error?: string;
  /** From the start of the handshake to the close, ms (k6's ws_session_duration, the handshake included). */
  durationMs: number;
  /** When the handshake started (performance.now()). */
  startedAt: number;
  /** Bytes written and read by its socket. */
  bytes: { sent: number; received: number };
}

/**
 * Opens a session, runs its actions, closes it.
 * @param req URL, headers, subprotocols, timeout, actions, heartbeat
 * @param events where measurements go
 * @param signal aborts the session (the VU is interrupted): it closes at once
 * @returns how it ended; never rejects
 */
export function runWsSession(req: WsSessionRequest, events: WsEvents, signal?: AbortSignal): Promise<WsOutcome> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let status = 0;
    let error: string | undefined;
    let socket: Socket | undefined;
    let settled = false;
    let reported = false;
    let opened = 0;
    const report = (s: number, subprotocol: string): void => {
      reported = true;
      events.opened(s, subprotocol, performance.now() - t0, t0);
    };
    const timers = new Set<NodeJS.Timeout>();
    const ws = new WebSocket(req.url, req.subprotocols ? [...req.subprotocols] : [], {
      headers: Object.fromEntries(req.headers),
      handshakeTimeout: req.timeoutMs,
      perMessageDeflate: false,
      maxPayload: req.maxPayload ?? 16 * 1024 * 1024,
      rejectUnauthorized: req.insecure !== true,
      followRedirects: false,
    });
    const finish = (): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      signal?.removeEventListener('abort', onAbort);
      const end = performance.now();
      if (!reported) report(status, '');
      resolve({
        status, ...(error !== undefined ? { error } : {}), durationMs: end - t0, startedAt: t0,
        bytes: { sent: socket?.bytesWritten ?? 0, received: socket?.bytesRead ?? 0 },
      });
    };
    const close = (): void => {
      if (ws.readyState === WebSocket.OPEN) {
        ws.close(1001); // k6's socket.close() default (GoingAway)
        // A peer that never answers the close frame: give it a second, then drop the connection.
        later(() => ws.terminate(), 1000);
      } else if (ws.readyState === WebSocket.CONNECTING) {
        ws.terminate();
      } else if (ws.readyState === WebSocket.CLOSED) {
        finish();
      }
    };
    const later = (fn: () => void, ms: number): NodeJS.Timeout => {
      const t = setTimeout(() => { timers.delete(t); fn(); }, ms);
      timers.add(t);
      return t;
    };
    const onAbort = (): void => {
      error ??= 'interrupted';
      close();
    };
    if (signal?.aborted) {
      error = 'interrupted';
      ws.terminate();
    } else {
      signal?.addEventListener('abort', onAbort, { once: true });
    }
    ws.on('upgrade', (res: IncomingMessage) => {
      status = res.statusCode ?? 101;
      socket = res.socket as Socket;
    });
    ws.on('unexpected-response', (r, res: IncomingMessage) => {
      status = res.statusCode ?? 0;
      socket = res.socket as Socket;
      error = `websocket: bad handshake (status ${status})`;
      report(status, '');
      res.resume();
      r.destroy();
      ws.terminate();
    });
    ws.on('error', (e: Error) => {
      error ??= e.message;
      if (!reported) report(status, '');
    });
    // One close listener wakes whatever action is waiting (one at a time: the actions run in order).
    let onClose: (() => void) | undefined;
    ws.on('close', () => {
      onClose?.();
      onClose = undefined;
      finish();
    });
    // Waiters of `receive` and `ping`: at most one at a time, as the actions run in order.
    let onMessage: ((text: string) => void) | undefined;
    let onPong: (() => void) | undefined;
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      events.received(performance.now());
      if (onMessage) onMessage(isBinary ? '' : rawText(data));
    });
    ws.on('open', () => {
      status ||= 101;
      opened = performance.now();
      report(status, ws.protocol);
      if (req.heartbeat) {
        const hb = req.heartbeat;
        const beat = (): void => {
          if (ws.readyState !== WebSocket.OPEN) return;
          if (hb.text) send(hb.text());
          else ping();
          later(beat, hb.everyMs);
        };
        later(beat, hb.everyMs);
      }
      void runActions();
    });
    let lastSentAt = 0;
    const send = (text: string): void => {
      ws.send(text);
      lastSentAt = performance.now();
      events.sent(lastSentAt);
    };
    let pingAt = 0;
    const ping = (): void => {
      pingAt = performance.now();
      ws.ping();
    };
    ws.on('pong', () => {
      if (pingAt > 0) {
        const now = performance.now();
        events.pong(now - pingAt, now);
        pingAt = 0;
      }
      onPong?.();
    });
    const runActions = async (): Promise<void> => {
      let receives = 0;
      for (const a of req.actions) {
        if (ws.readyState !== WebSocket.OPEN) break;
        if (a.kind === 'send') send(a.text());
        else if (a.kind === 'hold') await new Promise<void>((r) => { later(r, a.ms); onClose = r; });
        else if (a.kind === 'ping') {
          ping();
          await new Promise<void>((r) => {
            const t = later(() => { onPong = undefined; error ??= `no pong within ${a.timeoutMs} ms`; r(); }, a.timeoutMs);
            onPong = () => { clearTimeout(t); timers.delete(t); onPong = undefined; r(); };
            onClose = r;
          });
        } else {
          const index = receives++;
          const ok = await new Promise<boolean | 'closed'>((r) => {
            const t = later(() => { onMessage = undefined; r(false); }, a.timeoutMs);
            onMessage = (text) => {
              if (a.contains !== undefined && !text.includes(a.contains)) return;
              clearTimeout(t);
              timers.delete(t);
              onMessage = undefined;
              r(true);
            };
            onClose = () => r('closed');
          });
          // Closed while waiting: as in k6, the check inside the session's handlers never runs.
          if (ok === 'closed') break;
          const at = performance.now();
          events.awaited(index, ok, at, ok ? at - (lastSentAt || opened) : undefined);
          if (!ok) {
            error ??= `no message${a.contains !== undefined ? ` containing ${JSON.stringify(a.contains)}` : ''} within ${a.timeoutMs} ms`;
            break;
          }
        }
      }
      close();
    };
  });
}

function rawText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
