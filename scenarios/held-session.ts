/**
 * A push service's session held for a while: the catalog's flow with its one WebSocket step rewritten so the session
 * heartbeats at a given period and repeats the service's delivery round trip (the step's own actions, e.g. an echo
 * sent and awaited) every so often until shortly before a deadline. The connection probe (connection-probe.ts) holds
 * such sessions step by step; the replay (build-push.ts) holds a node's planned share of them for the whole day.
 */
import type { CatalogService, RawStep } from './catalog.ts';

/** The spec schema's bound on a session's actions. */
const MAX_ACTIONS = 10_000;

/** How long and how busy a held session is. */
export interface HeldSessionTiming {
  /** Seconds the session stays open (it closes by itself about a second before). */
  holdSeconds: number;
  /** Heartbeat period, ms. */
  heartbeatMs: number;
  /** Time between two round trips, ms. */
  roundTripEveryMs: number;
}

/**
 * The flow of one held session.
 * @param service a push service: a flow with exactly one WebSocket step (its prelude, e.g. a sign-in, kept)
 * @param t how long, the heartbeat period and the round-trip period
 * @returns the flow (`{steps}`), whose WebSocket step then waits `holdSeconds` (think) so a refused session does not
 *   retry at once: a refusal counts as one handshake, not as a retry loop
 * @throws {RangeError} when the flow has not exactly one WebSocket step, or a period is not positive
 * @example heldSessionFlow(push, { holdSeconds: 6, heartbeatMs: 270, roundTripEveryMs: 1500 }).steps.length
 */
export function heldSessionFlow(service: CatalogService, t: HeldSessionTiming): { steps: RawStep[] } {
  const steps = service.flow?.steps;
  const wsAt = (steps ?? []).flatMap((st, i) => (st.ws !== undefined ? [i] : []));
  if (!steps || wsAt.length !== 1) throw new RangeError(`heldSessionFlow: service ${service.name}'s flow needs exactly one WebSocket (ws) step, it has ${wsAt.length}`);
  if (!(t.heartbeatMs > 0 && t.roundTripEveryMs > 0 && t.holdSeconds > 0)) throw new RangeError('heldSessionFlow: the hold, heartbeat and round-trip periods must be positive');
  const ws = steps[wsAt[0]!]!.ws as { heartbeat?: Record<string, unknown>; actions: unknown[] } & Record<string, unknown>;
  const cycle = [{ hold: `${t.roundTripEveryMs}ms` }, ...ws.actions];
  // The session ends a second before its deadline, so it closes by itself rather than by the graceful stop.
  const rounds = Math.max(1, Math.min(Math.floor((t.holdSeconds * 1000 - 1000) / t.roundTripEveryMs), Math.floor(MAX_ACTIONS / cycle.length)));
  const held: RawStep = {
    ...steps[wsAt[0]!]!,
    ws: { ...ws, heartbeat: { ...(ws.heartbeat ?? {}), every: `${t.heartbeatMs}ms` }, actions: Array.from({ length: rounds }, () => cycle).flat() },
    think: `${t.holdSeconds}s`,
  };
  return { steps: steps.map((st, i) => (i === wsAt[0] ? held : st)) };
}
