/**
 * The WebSocket part of a flow step (`ws`, docs/formats.md "WebSocket sessions"): its schema, and the rules of a step
 * that opens a session instead of sending a request. k6/ws semantics: scenarios/engine/ws-session.ts.
 */
import { z } from 'zod';
import { Duration } from './executor-schema.ts';

/** The step fields the rules of a WebSocket step read. */
interface WsStepFields {
  url?: string;
  method: string;
  json?: unknown;
  body?: unknown;
  multipart?: unknown;
  cookies?: unknown;
  redirects?: number;
  expectedStatuses?: unknown;
  extract: Record<string, unknown>;
  metrics: Record<string, unknown>;
  checks?: { maxDuration?: number; bodyIncludes?: string };
}

/** One thing a WebSocket session does, in order, once open. `send` and a heartbeat's `send` are templates. */
const WsActionSchema = z.union([
  /** Send a text message (ws_msgs_sent). */
  z.strictObject({ send: z.string() }),
  /** Wait for a message (containing a text, when given) for at most `timeout`; a check records whether it came. */
  z.strictObject({ receive: z.strictObject({ contains: z.string().min(1).optional(), timeout: Duration.default(10_000) }) }),
  /** Ping and wait for the pong (ws_ping) for at most `timeout`. */
  z.strictObject({ ping: z.strictObject({ timeout: Duration.default(10_000) }) }),
  /** Keep the session open this long, answering pings, counting messages, sending the heartbeat. */
  z.strictObject({ hold: Duration }),
], { error: 'a WebSocket action is one of {send: text}, {receive: {contains, timeout}}, {ping: {timeout}}, {hold: duration}' });

/**
 * A WebSocket session (k6/ws `ws.connect`): the step's `url` (ws:// or wss://) or `path` (on the base URL, http becoming
 * ws) is opened with its headers and subprotocols, the actions run in order while the heartbeat runs, then it closes.
 */
export const WsSchema = z.strictObject({
  subprotocols: z.array(z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, 'not a subprotocol token')).min(1).optional(),
  /** Every `every` while the session is open: a ping, or the text `send`. */
  heartbeat: z.strictObject({ every: Duration, send: z.string().optional() }).optional(),
  actions: z.array(WsActionSchema).min(1).max(10_000),
});

/**
 * What a WebSocket step may not carry (a request's body, redirects, extracts...) and a URL it cannot open.
 * @param step the step's fields
 * @returns problems with their path under the step
 */
export function wsStepProblems(step: WsStepFields): { path: string[]; message: string }[] {
  const issues: { path: string[]; message: string }[] = [];
  const notWs: [string, boolean][] = [
    ['json', step.json !== undefined], ['body', step.body !== undefined], ['multipart', step.multipart !== undefined],
    ['cookies', step.cookies !== undefined], ['redirects', step.redirects !== undefined], ['expectedStatuses', step.expectedStatuses !== undefined],
    ['extract', Object.keys(step.extract).length > 0], ['metrics', Object.keys(step.metrics).length > 0], ['method', step.method !== 'GET'],
  ];
  for (const [field, set] of notWs) if (set) issues.push({ path: [field], message: `a WebSocket step (ws) has no "${field}": it opens a session with GET and its headers` });
  if (step.checks?.maxDuration !== undefined || step.checks?.bodyIncludes !== undefined) {
    issues.push({ path: ['checks'], message: 'a WebSocket step checks its handshake `status` (101); a `receive` action checks a message' });
  }
  if (step.url !== undefined && !/^(wss?|https?):\/\//i.test(step.url) && !step.url.startsWith('{{')) {
    issues.push({ path: ['url'], message: 'a WebSocket step\'s url starts with ws://, wss://, http:// or https://' });
  }
  return issues;
}
