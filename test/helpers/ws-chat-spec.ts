/**
 * The WebSocket chat spec both runners are held to against python3-websockets' echo server (the engine in
 * test/e2e/ws-python.test.ts, the generated k6 script in test/scenarios/k6/ws-standin.test.ts): 3 VUs x 2 iterations,
 * each session sending two messages, awaiting both echoes and pinging once, so the exact counts are known; and the
 * held session both hold with a heartbeat before a receive that never comes.
 */

/**
 * The spec.
 * @param echoUrl the echo server's ws:// URL (with a trailing slash)
 * @returns a caplab.scenario/v1 spec object
 */
export function chatSpec(echoUrl: string): Record<string, unknown> {
  return {
    schema: 'caplab.scenario/v1', name: 'ws-echo',
    options: { scenarios: { chat: { executor: 'per-vu-iterations', vus: 3, iterations: 2, maxDuration: '30s' } } },
    flows: {
      default: {
        steps: [{
          name: 'chat', url: `${echoUrl}room?vu={{vu}}`, headers: { 'X-User': 'u{{vu}}' },
          ws: {
            subprotocols: ['chat.v1'],
            actions: [
              { send: 'hello {{vu}}-{{iteration}}' }, { receive: { contains: 'hello', timeout: '5s' } },
              { send: 'bye' }, { receive: { contains: 'bye', timeout: '5s' } },
              { ping: {} },
            ],
          },
          checks: { status: 101 },
        }],
      },
    },
  };
}

/**
 * One session held 1 s with a text heartbeat every 100 ms, then a receive that never comes (its check fails).
 * @param echoUrl the echo server's ws:// URL
 * @param receiveTimeout the receive's timeout, e.g. '300ms'
 * @returns a caplab.scenario/v1 spec object
 */
export function holdSpec(echoUrl: string, receiveTimeout: string): Record<string, unknown> {
  return {
    schema: 'caplab.scenario/v1', name: 'ws-hold',
    options: { scenarios: { hold: { executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDuration: '30s' } } },
    flows: { default: { steps: [{ name: 'hold', url: echoUrl, ws: { heartbeat: { every: '100ms', send: 'beat' }, actions: [{ hold: '1s' }, { receive: { contains: 'never', timeout: receiveTimeout } }] } }] } },
  };
}
