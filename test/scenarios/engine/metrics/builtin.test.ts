import { describe, expect, it } from 'vitest';
import { BUILTIN_METRICS, isValidMetricName } from '../../../../scenarios/engine/metrics/builtin.ts';

describe('BUILTIN_METRICS', () => {
  it('declares k6 built-in metrics with k6 types and value types', () => {
    // Published in k6's metrics reference (lib/metrics/builtin.go).
    const expected: Record<string, [string, string]> = {
      vus: ['gauge', 'default'], vus_max: ['gauge', 'default'], iterations: ['counter', 'default'],
      iteration_duration: ['trend', 'time'], dropped_iterations: ['counter', 'default'],
      data_sent: ['counter', 'data'], data_received: ['counter', 'data'], checks: ['rate', 'default'],
      group_duration: ['trend', 'time'], http_reqs: ['counter', 'default'], http_req_failed: ['rate', 'default'],
      http_req_duration: ['trend', 'time'], http_req_blocked: ['trend', 'time'], http_req_connecting: ['trend', 'time'],
      http_req_tls_handshaking: ['trend', 'time'], http_req_sending: ['trend', 'time'],
      http_req_waiting: ['trend', 'time'], http_req_receiving: ['trend', 'time'],
      caplab_schedule_lag: ['trend', 'time'], caplab_req_duration_intended: ['trend', 'time'],
      // k6/ws (metrics/builtin.go at v0.48.0: WSSessions Counter, WSMessagesSent/Received Counter, WSPing,
      // WSSessionDuration and WSConnecting Trend of time).
      ws_sessions: ['counter', 'default'], ws_msgs_sent: ['counter', 'default'], ws_msgs_received: ['counter', 'default'],
      ws_ping: ['trend', 'time'], ws_session_duration: ['trend', 'time'], ws_connecting: ['trend', 'time'],
      caplab_ws_reply_duration: ['trend', 'time'],
    };
    expect(Object.keys(BUILTIN_METRICS).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, [type, contains]] of Object.entries(expected)) {
      expect(BUILTIN_METRICS[name]).toEqual({ name, type, contains });
    }
  });

  it('is frozen so no run can change another run\'s definitions', () => {
    expect(Object.isFrozen(BUILTIN_METRICS)).toBe(true);
    expect(Object.isFrozen(BUILTIN_METRICS.http_reqs)).toBe(true);
  });

  it('validates metric names as k6 does', () => {
    expect(isValidMetricName('my_metric_1')).toBe(true);
    expect(isValidMetricName('_x')).toBe(true);
    expect(isValidMetricName('1abc')).toBe(false);
    expect(isValidMetricName('a-b')).toBe(false);
    expect(isValidMetricName('')).toBe(false);
    expect(isValidMetricName('a'.repeat(128))).toBe(true);
    expect(isValidMetricName('a'.repeat(129))).toBe(false);
  });
});
