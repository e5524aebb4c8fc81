/**
 * The WebSocket chat spec both runners are held to against python3-websockets' echo server (the engine in
 * test/e2e/ws-python.test.ts, the generated k6 script in test/scenarios/k6/ws-standin.test.ts): 3 VUs x 2 iterations,
 * each session sending two messages, awaiting both echoes and pinging once, so the exact counts are known.
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
