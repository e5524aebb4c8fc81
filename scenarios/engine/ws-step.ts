/**
 * A flow's WebSocket step on a VU: renders the URL, headers and texts, runs the session (ws-session.ts) and emits
 * k6/ws's samples with k6's tags (the scenario's and the step's tags, `group`, `name`, `url` (the URL opened),
 * `status` and `subproto`): ws_sessions and ws_connecting when it opens, ws_msgs_sent and ws_msgs_received per
 * message, ws_ping per pong, ws_session_duration when it ends; then its checks (the handshake's status, each
 * `receive` action's message). A session that cannot open is not an exception: its status check fails, as in k6 with
 * its status read from the response; the `receive` checks it never reached are not recorded, as a k6 script's check()
 * calls inside the session's callback would not run.
 */
import type { CompiledStep } from './compile.ts';
import { type Emitter, epochOf, type IterationContext } from './iteration-context.ts';
import { BUILTIN_METRICS } from './metrics/builtin.ts';
import type { MetricDef, Tags } from './metrics/types.ts';
import type { TemplateScope } from './template.ts';
import type { Vu } from './vu.ts';
import { runWsSession, type WsAction } from './ws-session.ts';

const M = BUILTIN_METRICS as Record<string, MetricDef>;

/**
 * Runs one WebSocket step.
 * @param ctx scenario context
 * @param emitter sample emitter
 * @param vu the VU (its headers' scope, TLS setting, byte counters, interruption)
 * @param step the compiled step (with `ws`)
 * @param scope its templates' scope
 * @returns whether it succeeded (handshake 101 and every awaited message came)
 */
export async function runWsStep(ctx: IterationContext, emitter: Emitter, vu: Vu, step: CompiledStep, scope: TemplateScope): Promise<boolean> {
  const w = step.ws!;
  const url = w.url(scope);
  const headers = step.headers.map(([k, v]) => [k, v(scope)] as const);
  const actions: WsAction[] = w.actions.map((a) => (a.kind === 'send' ? { kind: 'send', text: () => a.text(scope) } : a));
  const base = { ...ctx.tags, ...step.tags, group: step.group, name: step.name, url };
  let tags: Tags = Object.freeze({ ...base });
  let received = true;
  const abort = new AbortController();
  vu.onInterrupt = () => abort.abort();
  try {
    const out = await runWsSession({
      url, headers, timeoutMs: step.timeout, actions,
      ...(w.subprotocols ? { subprotocols: w.subprotocols } : {}),
      ...(w.heartbeat ? { heartbeat: { everyMs: w.heartbeat.everyMs, ...(w.heartbeat.text ? { text: () => w.heartbeat!.text!(scope) } : {}) } } : {}),
      ...(vu.http.insecure ? { insecure: true } : {}),
    }, {
      opened(status, subprotocol, connectingMs, startedAt) {
        // As k6: status and subproto only when an HTTP response came; both samples at the dial's start, opened or not.
        tags = status === 0 ? Object.freeze({ ...base }) : Object.freeze({ ...base, status: String(status), subproto: subprotocol });
        const t = epochOf(startedAt);
        emitter.emit(M.ws_sessions!, 1, tags, t);
        emitter.emit(M.ws_connecting!, connectingMs, tags, t);
      },
      sent(at) { emitter.emit(M.ws_msgs_sent!, 1, tags, epochOf(at)); },
      received(at) { emitter.emit(M.ws_msgs_received!, 1, tags, epochOf(at)); },
      pong(rtt, at) { emitter.emit(M.ws_ping!, rtt, tags, epochOf(at)); },
      awaited(index, ok, at, replyMs) {
        if (!ok) received = false;
        // Without subproto: a k6 script's handlers cannot read the chosen subprotocol, so its samples lack it too.
        if (replyMs !== undefined) emitter.emit(M.caplab_ws_reply_duration!, replyMs, replyTags(tags), epochOf(at));
        emitter.emit(M.checks!, ok ? 1 : 0, checkTags(ctx, step, w.receiveChecks[index]!), epochOf(at));
      },
    }, abort.signal);
    vu.http.countBytes({ bytesWritten: out.bytes.sent, bytesRead: out.bytes.received });
    const end = epochOf(performance.now());
    emitter.emit(M.ws_session_duration!, out.durationMs, tags, epochOf(out.startedAt));
    const res = { status: out.status } as Parameters<CompiledStep['checks'][number]['test']>[0];
    for (const c of step.checks) emitter.emit(M.checks!, c.test(res) ? 1 : 0, checkTags(ctx, step, c.name), end);
    if (out.error !== undefined && out.status !== 101 && !vu.interrupted) ctx.onWarning?.(`step "${step.name}": ${out.error}`);
    return out.status === 101 && received;
  } finally {
    vu.onInterrupt = undefined;
  }
}

const replyTagsOf = new WeakMap<Tags, Tags>();

/** The session's tags without `subproto`, made once per session's tag object. */
function replyTags(tags: Tags): Tags {
  let t = replyTagsOf.get(tags);
  if (!t) {
    const { subproto: _s, ...rest } = tags as Record<string, string>;
    replyTagsOf.set(tags, (t = Object.freeze(rest)));
  }
  return t;
}

/** Tags of a check sample (cached per step, context and check name). */
function checkTags(ctx: IterationContext, step: CompiledStep, name: string): Tags {
  let byKey = step.tagCache.get(ctx.tags);
  if (!byKey) step.tagCache.set(ctx.tags, (byKey = new Map()));
  const key = `ws-check ${name}`;
  let t = byKey.get(key);
  if (!t) {
    t = Object.freeze({ ...ctx.tags, group: step.group, check: name });
    byKey.set(key, t);
  }
  return t;
}
