/**
 * The WebSocket step of generated k6 scripts, as JavaScript source: the k6/ws twin of scenarios/engine/ws-session.ts
 * and ws-step.ts. `ws.connect` blocks until the socket closes; inside, the step's actions run in order on the
 * socket's event loop (k6 0.48 has no clearTimeout, so stale timers are told apart by the action they belong to),
 * a heartbeat pings or sends every interval, and each `receive` records its check; after it, the handshake's status
 * check. k6 measures ws_sessions, ws_connecting, ws_msgs_sent, ws_msgs_received, ws_ping and ws_session_duration
 * itself. Plain ES2017 plus JSDoc types, checked against @types/k6 with the rest of the script.
 */

/** Typedefs of a WebSocket step's data (JSDoc, for tsc --checkJs). */
export const WS_TYPES_JS = String.raw`
/**
 * @typedef {{send?: CaplabTemplate, receive?: {contains?: string, timeout: number}, ping?: number, hold?: number}} CaplabWsAction
 * @typedef {{subprotocols?: string[], heartbeat?: {every: number, send?: CaplabTemplate}, actions: CaplabWsAction[], receiveChecks: string[]}} CaplabWs
 */
`;

/**
 * The module import and the binding the runtime reads: `k6/ws` only when a step opens a session (k6 resolves every
 * import of a script: a script without sessions loads no module it does not use).
 * @param used whether any step of the spec has `ws`
 * @returns the import line(s) and the CAPLAB_WS constant
 */
export function wsImportJs(used: boolean): string {
  return used
    ? 'import ws from \'k6/ws\';\n/** k6/ws, for the WebSocket steps. */\nconst CAPLAB_WS = ws;\n' +
      '/** A receive\'s reply time (the engine\'s caplab_ws_reply_duration). */\nconst CAPLAB_WS_REPLY = new Trend(\'caplab_ws_reply_duration\', true);'
    : '/** No step opens a WebSocket session. @type {typeof import(\'k6/ws\').default | null} */\nconst CAPLAB_WS = null;\n' +
      '/** @type {Trend | null} */\nconst CAPLAB_WS_REPLY = null;';
}

/** The runtime of a WebSocket step (needs RUNTIME_JS's caplabRender and caplabCheck). */
export const WS_RUNTIME_JS = String.raw`
/** ws:// for http://, wss:// for https://; ws and wss stay. @param {string} u */
function caplabWsUrl(u) {
  return u.replace(/^https:\/\//i, 'wss://').replace(/^http:\/\//i, 'ws://');
}

/**
 * One WebSocket step: connect, run the actions in order, close; then the handshake's status check.
 * @param {CaplabStep} s @param {CaplabScope} scope @param {CaplabVuState} state @param {boolean} isSetup
 */
function caplabWsStep(s, scope, state, isSetup) {
  const w = /** @type {CaplabWs} */ (s.ws);
  if (CAPLAB_WS === null) throw new Error('step "' + s.name + '" opens a WebSocket session but the script imports no k6/ws');
  const url = caplabWsUrl(s.path !== undefined ? BASE_URL + caplabRender(s.path, scope, encodeURIComponent)
    : caplabRender(s.url || [], scope, encodeURIComponent));
  /** @type {Record<string, string>} */
  const headers = {};
  for (const h of s.headers) headers[h[0]] = caplabRender(h[1], scope);
  // k6 0.48's ws.connect takes no subprotocols: they are asked for with the header itself.
  if (w.subprotocols !== undefined) headers['Sec-WebSocket-Protocol'] = w.subprotocols.join(', ');
  let received = true;
  const res = CAPLAB_WS.connect(url, { headers: headers, tags: s.tags }, function (socket) {
    let at = 0;
    let receives = 0;
    let closed = false;
    /** @type {{action: number, contains?: string, name: string} | null} */
    let waiting = null;
    /** @type {number} */
    let pinging = -1;
    // When the session last sent a text (or opened): a receive's reply time starts there.
    let lastSent = Date.now();
    function finish() {
      if (closed) return;
      closed = true;
      socket.close();
    }
    /** @param {string} name @param {boolean} ok */
    function record(name, ok) {
      /** @type {Record<string, (v: boolean) => boolean>} */
      const sets = {};
      sets[name] = (v) => v;
      check(ok, sets);
      if (!ok) received = false;
    }
    function next() {
      if (closed) return;
      if (at >= w.actions.length) { finish(); return; }
      const index = at++;
      const a = w.actions[index];
      if (a.send !== undefined) { socket.send(caplabRender(a.send, scope)); lastSent = Date.now(); next(); return; }
      if (a.hold !== undefined) { socket.setTimeout(next, Math.max(1, a.hold)); return; }
      if (a.ping !== undefined) {
        pinging = index;
        socket.ping();
        socket.setTimeout(() => { if (pinging === index) { pinging = -1; finish(); } }, Math.max(1, a.ping));
        return;
      }
      const r = /** @type {{contains?: string, timeout: number}} */ (a.receive);
      waiting = { action: index, contains: r.contains, name: w.receiveChecks[receives++] };
      socket.setTimeout(() => {
        if (waiting !== null && waiting.action === index) {
          const name = waiting.name;
          waiting = null;
          record(name, false);
          finish();
        }
      }, Math.max(1, r.timeout));
    }
    socket.on('open', () => {
      lastSent = Date.now();
      const hb = w.heartbeat;
      if (hb !== undefined) {
        socket.setInterval(() => {
          if (closed) return;
          if (hb.send !== undefined) socket.send(caplabRender(hb.send, scope));
          else socket.ping();
        }, Math.max(1, hb.every));
      }
      next();
    });
    socket.on('message', (/** @type {string} */ msg) => {
      if (waiting === null) return;
      if (waiting.contains !== undefined && msg.indexOf(waiting.contains) < 0) return;
      const name = waiting.name;
      waiting = null;
      if (CAPLAB_WS_REPLY !== null) CAPLAB_WS_REPLY.add(Date.now() - lastSent, Object.assign({}, s.tags, { url: url, status: '101' }));
      record(name, true);
      next();
    });
    socket.on('pong', () => {
      if (pinging < 0) return;
      pinging = -1;
      next();
    });
    socket.on('close', () => { closed = true; });
  });
  if (s.checks.length > 0) {
    /** @type {Record<string, (r: {status: number}) => boolean>} */
    const sets = {};
    for (const c of s.checks) sets[c.name] = (r) => c.kind === 'status' && c.want.indexOf(r.status) >= 0;
    check({ status: res ? res.status : 0 }, sets);
  }
  const ok = res !== undefined && res !== null && res.status === 101 && received;
  if (isSetup && !ok) throw new Error('setup step "' + s.name + '": the WebSocket session failed');
  if (s.once && ok) state.onceDone[s.key] = true;
  if (s.think > 0) sleep(s.think / 1000);
}
`;
