/**
 * Per-step figures of a connection probe from k6 `--out json` points (ours or real k6's): a sample sink that groups
 * WebSocket samples by their `sessions:N` tag (N virtual users, each holding one session to one push-service node)
 * and, after reading, measures each step. Handshakes are counted over the whole step, because the sessions are
 * opened at the step's start, during what is warm-up for everything else: a node that refuses sessions refuses them
 * then. Echo replies and checks are measured in the step's window after warm-up, when every session is held.
 * models/capacity/connection-capacity.ts turns these figures into a sessions-per-node capacity.
 */
import type { Sample } from '../../scenarios/engine/metrics/types.ts';
import type { IngestSink } from './ndjson.ts';
import { percentile } from './percentile.ts';

/** Measured figures of one connection-probe step. */
export interface ConnectionStepFigures {
  /** Sessions held in the step (the `sessions` tag's value). */
  level: number;
  /** Handshake attempts over the whole step, warm-up included (`ws_sessions`). */
  handshakes: number;
  /** Handshakes answered `101 Switching Protocols`: sessions opened. */
  opened: number;
  /** Handshakes that did not open a session: `handshakes - opened`. */
  refused: number;
  /**
   * Refused handshakes by why: the HTTP status that answered them (e.g. `"503"`), or `"no answer"` when the
   * connection was refused or reset before any HTTP answer. Keys sorted.
   */
  refusedBy: Record<string, number>;
  /** `ws_connecting` p95 over the whole step, ms; null when no handshake time was recorded. */
  connectingP95Ms: number | null;
  /** Window length after warm-up, seconds. */
  windowS: number;
  /** Echo replies received in the window (`caplab_ws_reply_duration` samples). */
  replies: number;
  /** Echo reply time p95 in the window, ms (from the send to the reply); null when no reply came. */
  replyP95Ms: number | null;
  /** Mean echo reply time in the window, ms; null when no reply came. */
  replyMeanMs: number | null;
  /** Checks evaluated in the window (handshake status and each receive). */
  checks: number;
  /** Checks failed in the window (a receive that timed out is one). */
  checksFailed: number;
}

/** A sink collecting connection-step figures; call {@link ConnectionStepSink.finish} after reading. */
export interface ConnectionStepSink extends IngestSink {
  /**
   * Figures per step, ascending by level.
   * @param warmupS seconds excluded at the start of every step from replies and checks (not from handshakes)
   * @returns one entry per `sessions` tag value seen
   * @throws {RangeError} when warmupS is negative or not finite
   */
  finish(warmupS: number): ConnectionStepFigures[];
  /**
   * The share of a real node's sessions the probed node held, from the `scale` tag the probe's spec puts on every
   * sample (scenarios/connection-probe.ts).
   * @returns the scale, or undefined when no sample carried one or they disagree (a merged or foreign file)
   */
  scale(): number | undefined;
}

/** The status tag of a handshake that opened its session. */
const OPENED = '101';
/** What `refusedBy` calls a handshake that got no HTTP answer (no `status` tag). */
const NO_ANSWER = 'no answer';

// Numbers only (flat time/value pairs where the time matters): a step may carry ~100k samples.
interface Acc {
  first: number;
  last: number;
  handshakes: number;
  opened: number;
  refusedBy: Map<string, number>;
  connecting: number[];
  /** caplab_ws_reply_duration as [time, value, time, value, ...]. */
  replies: number[];
  /** checks as [time, value, ...]. */
  checks: number[];
}

/**
 * Creates the sink. Samples without a numeric `sessions` tag (other scenarios, setup) are ignored, and so are
 * metrics the capacity does not use (ws_msgs_sent, ws_ping, iterations, data_sent...); they still mark the step's
 * first and last times, since they were observed while the step ran.
 * @returns a sink for readK6Ndjson
 * @example
 * const sink = createConnectionStepSink();
 * await readK6Ndjson(createReadStream('points.ndjson'), sink, 'points.ndjson');
 * const steps = sink.finish(5);
 */
export function createConnectionStepSink(): ConnectionStepSink {
  const accs = new Map<number, Acc>();
  const scales = new Set<string>();
  const accFor = (tags: Readonly<Record<string, string>>, time: number): Acc | undefined => {
    const tag = tags.sessions;
    // Number('') is 0: an empty tag is not a level.
    if (tag === undefined || tag.trim() === '') return undefined;
    const level = Number(tag);
    if (!Number.isFinite(level)) return undefined;
    let a = accs.get(level);
    if (!a) {
      a = { first: time, last: time, handshakes: 0, opened: 0, refusedBy: new Map(), connecting: [], replies: [], checks: [] };
      accs.set(level, a);
    }
    return a;
  };
  return {
    add(s: Sample) {
      const a = accFor(s.tags, s.time);
      if (!a) return;
      if (s.tags.scale !== undefined && scales.size < 2) scales.add(s.tags.scale);
      if (s.time < a.first) a.first = s.time;
      if (s.time > a.last) a.last = s.time;
      switch (s.metric.name) {
        case 'ws_sessions': {
          a.handshakes += s.value;
          const status = s.tags.status;
          if (status === OPENED) a.opened += s.value;
          else {
            const why = status === undefined || status === '' ? NO_ANSWER : status;
            a.refusedBy.set(why, (a.refusedBy.get(why) ?? 0) + s.value);
          }
          break;
        }
        case 'ws_connecting': a.connecting.push(s.value); break;
        case 'caplab_ws_reply_duration': a.replies.push(s.time, s.value); break;
        case 'checks': a.checks.push(s.time, s.value); break;
        default: break;
      }
    },
    finish(warmupS) {
      if (!Number.isFinite(warmupS) || warmupS < 0) throw new RangeError(`warm-up must be a finite number of seconds >= 0, got ${warmupS}`);
      const out: ConnectionStepFigures[] = [];
      for (const [level, a] of accs) {
        const { first, last } = a;
        // The window starts after warm-up; a step shorter than its warm-up keeps its second half (as steps.ts).
        const from = last - first > warmupS * 1000 ? first + warmupS * 1000 : first + (last - first) / 2;
        const replies = inWindow(a.replies, from);
        let failed = 0;
        let checks = 0;
        for (let i = 0; i < a.checks.length; i += 2) {
          if (a.checks[i]! < from) continue;
          checks++;
          if (a.checks[i + 1] === 0) failed++;
        }
        out.push({
          level,
          handshakes: a.handshakes,
          opened: a.opened,
          refused: a.handshakes - a.opened,
          refusedBy: Object.fromEntries([...a.refusedBy].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))),
          connectingP95Ms: percentile(a.connecting, 95),
          windowS: (last - from) / 1000,
          replies: replies.length,
          replyP95Ms: percentile(replies, 95),
          replyMeanMs: replies.length > 0 ? replies.reduce((sum, v) => sum + v, 0) / replies.length : null,
          checks,
          checksFailed: failed,
        });
      }
      return out.sort((x, y) => x.level - y.level);
    },
    scale() {
      const v = scales.size === 1 ? Number([...scales][0]) : NaN;
      return v > 0 && v <= 1 ? v : undefined;
    },
  };
}

/** The values of flat [time, value, ...] pairs whose time is at or after `from`. */
function inWindow(pairs: readonly number[], from: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < pairs.length; i += 2) if (pairs[i]! >= from) out.push(pairs[i + 1]!);
  return out;
}

