/**
 * Test helpers for the push endpoint: open a real `ws` client session on 127.0.0.1, read a refused handshake's HTTP
 * answer, and collect a session's server messages.
 */
import { WebSocket } from 'ws';
import type { PushServerMessage } from '../../stacks/api.ts';

/** An opened session, or the HTTP answer that refused it. */
export type PushOpen =
  | { ok: true; ws: WebSocket; protocol: string; inbox: PushServerMessage[] }
  | { ok: false; status: number; headers: Record<string, string | string[] | undefined>; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Opens `/v1/push`.
 * @param base the DC's base URL (http://...)
 * @param opts token (as a Bearer header, or `query: true` for `?token=`), subprotocols to offer
 * @returns the open session with its inbox (every parsed text message, in order), or the refusal
 */
export function openPush(base: string, opts: { token?: string; query?: boolean; protocols?: string[] } = {}): Promise<PushOpen> {
  const url = `${base.replace(/^http/, 'ws')}/v1/push${opts.token && opts.query ? `?token=${encodeURIComponent(opts.token)}` : ''}`;
  const headers = opts.token && !opts.query ? { Authorization: `Bearer ${opts.token}` } : {};
  const ws = new WebSocket(url, opts.protocols ?? ['caplab.push.v1'], { headers });
  const inbox: PushServerMessage[] = [];
  ws.on('message', (data) => inbox.push(JSON.parse(String(data)) as PushServerMessage));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ok: true, ws, protocol: ws.protocol, inbox }));
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString('utf8')));
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ ok: false, status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    ws.once('error', reject);
  });
}

/**
 * Opens `/v1/push` and fails the test unless it opened.
 * @param base the DC's base URL
 * @param token bearer token
 * @returns the session
 */
export async function mustOpen(base: string, token: string): Promise<Extract<PushOpen, { ok: true }>> {
  const r = await openPush(base, { token });
  if (!r.ok) throw new Error(`push handshake refused: ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

/**
 * Waits until an inbox holds `n` messages matching `pred`.
 * @param inbox a session's inbox
 * @param pred which messages count
 * @param n how many
 * @param timeoutMs give up after (default 5 s)
 * @returns the matching messages
 */
export async function waitFor(inbox: PushServerMessage[], pred: (m: PushServerMessage) => boolean, n = 1, timeoutMs = 5000): Promise<PushServerMessage[]> {
  const t0 = Date.now();
  for (;;) {
    const hits = inbox.filter(pred);
    if (hits.length >= n) return hits;
    if (Date.now() - t0 > timeoutMs) throw new Error(`waited ${timeoutMs} ms for ${n} messages; inbox: ${JSON.stringify(inbox).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Closes a session and waits for its close event.
 * @param ws the socket
 */
export function closeWs(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    ws.once('close', () => resolve());
    ws.close();
  });
}

/**
 * One sample of /metrics, by its full series text (name with labels), e.g. `caplab_push_sessions{dc="x",node="0"}`.
 * @param base the DC's base URL
 * @param series the series
 * @returns its value, or NaN when absent
 */
export async function metric(base: string, series: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? NaN : Number(line.slice(series.length + 1));
}
