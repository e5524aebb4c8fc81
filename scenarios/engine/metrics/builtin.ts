/**
 * k6's built-in metrics (names, types and value types exactly as k6 declares them), plus caplab's two
 * coordinated-omission metrics, and the one sub-metric k6 adds to every run. The execution side emits samples against
 * these definitions; the registry, the outputs and the NDJSON reader recognise them by name.
 */
import type { MetricDef, MetricType, ValueType } from './types.ts';

function def(name: string, type: MetricType, contains: ValueType): MetricDef {
  return Object.freeze({ name, type, contains });
}

/**
 * Every built-in metric by name. Time metrics are in milliseconds, data metrics in bytes.
 * `http_req_failed` is a Rate whose "pass" (value 1) is a failed request, as in k6; `checks` is a Rate whose pass is
 * a passed check. `caplab_schedule_lag` (how late an iteration started against its absolute schedule) and
 * `caplab_req_duration_intended` (intended iteration start to response end) are caplab's additions (docs/k6-compatibility.md).
 * @example BUILTIN_METRICS.http_req_duration // { name: 'http_req_duration', type: 'trend', contains: 'time' }
 */
export const BUILTIN_METRICS: Readonly<Record<string, MetricDef>> = Object.freeze({
  vus: def('vus', 'gauge', 'default'),
  vus_max: def('vus_max', 'gauge', 'default'),
  iterations: def('iterations', 'counter', 'default'),
  iteration_duration: def('iteration_duration', 'trend', 'time'),
  dropped_iterations: def('dropped_iterations', 'counter', 'default'),
  data_sent: def('data_sent', 'counter', 'data'),
  data_received: def('data_received', 'counter', 'data'),
  checks: def('checks', 'rate', 'default'),
  group_duration: def('group_duration', 'trend', 'time'),
  http_reqs: def('http_reqs', 'counter', 'default'),
  http_req_failed: def('http_req_failed', 'rate', 'default'),
  http_req_duration: def('http_req_duration', 'trend', 'time'),
  http_req_blocked: def('http_req_blocked', 'trend', 'time'),
  http_req_connecting: def('http_req_connecting', 'trend', 'time'),
  http_req_tls_handshaking: def('http_req_tls_handshaking', 'trend', 'time'),
  http_req_sending: def('http_req_sending', 'trend', 'time'),
  http_req_waiting: def('http_req_waiting', 'trend', 'time'),
  http_req_receiving: def('http_req_receiving', 'trend', 'time'),
  // k6/ws (js/modules/k6/ws): sessions opened, handshake time, session time, messages each way, ping round trips.
  ws_sessions: def('ws_sessions', 'counter', 'default'),
  ws_connecting: def('ws_connecting', 'trend', 'time'),
  ws_session_duration: def('ws_session_duration', 'trend', 'time'),
  ws_msgs_sent: def('ws_msgs_sent', 'counter', 'default'),
  ws_msgs_received: def('ws_msgs_received', 'counter', 'default'),
  ws_ping: def('ws_ping', 'trend', 'time'),
  // caplab's: a `receive` action's reply time, from the session's last text sent (or its open) to the matching message.
  caplab_ws_reply_duration: def('caplab_ws_reply_duration', 'trend', 'time'),
  caplab_schedule_lag: def('caplab_schedule_lag', 'trend', 'time'),
  caplab_req_duration_intended: def('caplab_req_duration_intended', 'trend', 'time'),
});

/** A sub-metric every run has beside its parent, whether or not a threshold names it. */
export interface BuiltinSubmetric {
  /** Key in the summary, as k6 spells it: `parent{tag:value}`. */
  readonly key: string;
  /** Name of the parent built-in metric. */
  readonly parent: string;
  /** Tags a sample of the parent must carry to count. */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * `http_req_duration{expected_response:true}`: the durations (ms) of responses whose status the request expected
 * (k6's `expected_response` system tag). k6 0.31+ registers it on every run that keeps that system tag (the default),
 * so it is in every summary with at least one such response, and k6 users read it as "latency of the successes".
 * caplab always tags `expected_response`, so it is always registered.
 * @example EXPECTED_RESPONSE_SUBMETRIC.key // 'http_req_duration{expected_response:true}'
 */
export const EXPECTED_RESPONSE_SUBMETRIC: BuiltinSubmetric = Object.freeze({
  key: 'http_req_duration{expected_response:true}',
  parent: 'http_req_duration',
  tags: Object.freeze({ expected_response: 'true' }),
});

/** k6's rule for metric names (the one the contract documents): a letter or `_`, then letters, digits, `_`; at most 128. */
export const METRIC_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]{0,127}$/;

/**
 * Whether `name` is a valid metric name.
 * @param name candidate name
 * @returns true when it matches {@link METRIC_NAME_PATTERN}
 * @example isValidMetricName('http_req_duration') // true
 */
export function isValidMetricName(name: string): boolean {
  return METRIC_NAME_PATTERN.test(name);
}
