/**
 * The runtime of generated k6 scripts, as JavaScript source: how a VU renders templates, sends a step's request,
 * checks it, records custom metrics, extracts values, honours `once`, groups steps, picks a mix's flow and numbers
 * its iterations. It is the k6 counterpart of scenarios/engine/{flow,template,jsonpath}.ts and must keep their
 * semantics exactly (same user per VU, same mix choice per iteration, same requests in the same order);
 * test/scenarios/k6/script.test.ts runs both against the same spec and compares the requests.
 *
 * The script's data (FLOWS, SETUP, MIXES, PER_VU_ITERATIONS, SPEC_ENV, METRICS, BASE_URL, caplabUsers, CAPLAB_FILES,
 * CAPLAB_DATA, CAPLAB_DATA_PICK) is emitted by
 * script.ts before this text. Plain ES2017 plus JSDoc types, so `tsc --checkJs` checks it against @types/k6.
 */

import { RANDOM_JS } from '../engine/random.ts';
import { RESPONSE_JS } from './response-js.ts';

/** Typedefs shared by the runtime and the data constants script.ts emits (JSDoc, for tsc --checkJs). */
export const RUNTIME_TYPES_JS = String.raw`
/**
 * A template: literal text and placeholders ({k: 'user.id'}; a random helper also has its key r and call x), rendered
 * part by part.
 * @typedef {(string | {k: string, r?: number, x?: any[]})[]} CaplabTemplate
 * @typedef {{kind: 'status', name: string, want: number[]} | {kind: 'duration', name: string, max: number} | {kind: 'body', name: string, needle: string}} CaplabCheck
 * @typedef {{name: string, value: 'duration' | 'ok' | 'bytes' | number | (string | number)[]}} CaplabMetricUse
 * @typedef {{
 *   key: string, name: string, group: string, once: boolean, method: string,
 *   path?: CaplabTemplate, url?: CaplabTemplate, headers: [string, CaplabTemplate][], json?: any, body?: CaplabTemplate,
 *   expected: (number | {min: number, max: number})[] | null, checks: CaplabCheck[], extract: [string, any[]][],
 *   metrics: CaplabMetricUse[], think: number, timeout: number, redirects: number | null, tags: Record<string, string>,
 *   keepBody: boolean, needsJson: boolean,
 *   file?: string, multipart?: [string, CaplabTemplate | {file: string, filename: string, contentType: string}][],
 *   cookies?: [string, CaplabTemplate, boolean][], ws?: CaplabWs
 * }} CaplabStep
 * @typedef {{user: Record<string, unknown>, vars: Record<string, unknown>, iteration: number, vu: number, scenario: string}} CaplabScope
 * @typedef {{vars: Record<string, unknown>, onceDone: Record<string, boolean>, ready: boolean}} CaplabVuState
 */
`;

/**
 * The seeded hash of mix choices (models/random.ts scramble32, hash32 and toUnit), as JavaScript: caplabHash32(key,
 * iteration) and caplabToUnit(u). Shared by generated scripts and wrappers (wrapper.ts) so every runner picks the
 * same way. Needs nothing from the script around it.
 */
export const MIX_HASH_JS = String.raw`
// The engine's counter-based hash (models/random.ts hash32/scramble32/toUnit), so a mix picks the same flow for the
// same test-wide iteration number on every runner and execution segment.
/** @param {number} x */
function caplabScramble32(x) {
  x = x >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** @param {number} a @param {number} b */
function caplabHash32(a, b) {
  return caplabScramble32(caplabScramble32(a ^ 0x9e3779b9) + Math.imul(b >>> 0, 0x85ebca6b) + (b / 4294967296 >>> 0));
}

/** @param {number} u */
function caplabToUnit(u) {
  return ((u >>> 0) + 0.5) / 4294967296;
}
`;

/**
 * caplabIterationNumber(): the test-wide iteration number the engine gives the running iteration, from k6/execution.
 * Needs `exec` (k6/execution's default export) and a `PER_VU_ITERATIONS` constant (scenario -> iterations per VU).
 */
export const ITERATION_NUMBER_JS = String.raw`
/**
 * The test-wide iteration number the engine gives this iteration: per-vu-iterations numbers VU v's i-th iteration
 * (v - 1) * iterations + i; every other executor uses the scenario's test-wide counter (unique across segments).
 * @returns {number}
 */
function caplabIterationNumber() {
  const sc = exec.scenario;
  if (sc.executor === 'per-vu-iterations') {
    const per = PER_VU_ITERATIONS[sc.name];
    return (exec.vu.idInTest - 1) * (per === undefined ? 1 : per) + exec.vu.iterationInScenario;
  }
  return sc.iterationInTest;
}
`;

/** The runtime functions and the exported-function helpers (see the module comment). */
export const RUNTIME_JS = String.raw`
// ---- caplab runtime (the k6 twin of scenarios/engine/compile.ts, flow.ts and template.ts) ----

// Per-VU state: k6 gives every VU its own copy of module scope, as the engine gives every VU its own vars and
// once-steps; setup's values arrive as the data argument and seed the vars once.
/** @type {CaplabVuState} */
const caplabVu = { vars: {}, onceDone: {}, ready: false };

// Response callbacks (http_req_failed per expectedStatuses), made once in the init context as k6 recommends rather
// than on every request.
/** @type {Record<string, ReturnType<typeof http.expectedStatuses>>} */
const caplabCallbacks = {};
for (const steps of [SETUP].concat(Object.keys(FLOWS).map((k) => FLOWS[k]))) {
  for (const s of steps) {
    const expected = s.expected;
    if (expected !== null) caplabCallbacks[s.key] = http.expectedStatuses(...expected);
  }
}
${MIX_HASH_JS}
/** @param {string} flow @param {number} iteration @returns {CaplabStep[]} */
function caplabPick(flow, iteration) {
  const mix = MIXES[flow];
  if (mix === undefined) return FLOWS[flow];
  const u = caplabToUnit(caplabHash32(mix.key, iteration));
  for (const c of mix.choices) if (u < c[1]) return FLOWS[c[0]];
  return FLOWS[mix.choices[mix.choices.length - 1][0]];
}
${ITERATION_NUMBER_JS}
/** User of a test-wide VU number (setup is VU 0 and acts as the first user), as the engine's VuPool picks it. */
/** @param {number} vu @returns {Record<string, unknown>} */
function caplabUserOf(vu) {
  if (caplabUsers.length === 0) return {};
  return caplabUsers[vu === 0 ? 0 : (vu - 1) % caplabUsers.length];
}

/** @param {unknown} v @returns {string} */
function caplabText(v) {
  return typeof v === 'string' ? v : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

/**
 * {{env.NAME}}: __ENV (k6: -e over the process environment, the scenario's env over both), else the spec's default.
 * @param {string} name @returns {string | undefined}
 */
function caplabEnv(name) {
  const v = __ENV[name];
  return v !== undefined ? v : SPEC_ENV[name];
}

/** @param {CaplabScope} scope @param {string} key @returns {unknown} */
function caplabGet(scope, key) {
  if (key === 'iteration') return scope.iteration;
  if (key === 'vu') return scope.vu;
  if (key === 'scenario') return scope.scenario;
  const dot = key.indexOf('.');
  const root = dot < 0 ? key : key.slice(0, dot);
  const prop = dot < 0 ? '' : key.slice(dot + 1);
  /** @type {Record<string, unknown> | undefined} */
  if (root === 'data') return caplabDataGet(scope, key, prop);
  const bag = root === 'user' ? scope.user : root === 'vars' ? scope.vars : undefined;
  if (bag === undefined && root !== 'env') throw new Error('unknown template {{' + key + '}}');
  const v = bag === undefined ? caplabEnv(prop) : bag[prop];
  if (v === undefined) throw new Error('{{' + key + '}} is not set');
  return v;
}
${RANDOM_JS}
/** A placeholder's value: a random helper's draw, or what it names. @param {{k: string, r?: number, x?: any[]}} p @param {CaplabScope} scope */
function caplabValue(p, scope) {
  return p.x !== undefined ? caplabRandom(p.x, p.r || 0, scope) : caplabGet(scope, p.k);
}

/**
 * {{data.<set>.<column>}}: the iteration's row of a data set, picked as the engine's data-rows.ts picks it.
 * @param {CaplabScope} scope @param {string} key @param {string} prop @returns {unknown}
 */
function caplabDataGet(scope, key, prop) {
  const at = prop.indexOf('.');
  const set = at > 0 ? prop.slice(0, at) : '';
  const rows = CAPLAB_DATA[set];
  const how = CAPLAB_DATA_PICK[set];
  /** @type {unknown} */
  let v;
  if (rows !== undefined && how !== undefined && rows.length > 0) {
    const n = rows.length;
    const i = how.pick === 'vu' ? (scope.vu === 0 ? 0 : (scope.vu - 1) % n)
      : how.pick === 'iteration' ? scope.iteration % n
        : Math.min(n - 1, Math.floor(caplabToUnit(caplabHash32(how.key, scope.iteration)) * n));
    v = rows[i][prop.slice(at + 1)];
  }
  if (v === undefined) throw new Error('{{' + key + '}} is not set');
  return v;
}

/** @param {CaplabTemplate} parts @param {CaplabScope} scope @param {(s: string) => string} [encode] */
function caplabRender(parts, scope, encode) {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'string') out += p;
    else out += encode ? encode(caplabText(caplabValue(p, scope))) : caplabText(caplabValue(p, scope));
  }
  return out;
}

/**
 * Renders a JSON template node: ['v', constant], ['g', key] (a whole placeholder keeps the value's type; a random
 * helper's is ['g', key, r, call]), ['s', template], ['a', nodes], ['o', [key, node][]].
 * @param {any} node @param {CaplabScope} scope @returns {unknown}
 */
function caplabRenderJson(node, scope) {
  switch (node[0]) {
    case 'g': return node.length > 2 ? caplabRandom(node[3], node[2], scope) : caplabGet(scope, node[1]);
    case 's': return caplabRender(node[1], scope);
    case 'a': return node[1].map((/** @type {any} */ n) => caplabRenderJson(n, scope));
    case 'o': {
      /** @type {Record<string, unknown>} */
      const o = {};
      for (const kv of node[1]) o[kv[0]] = caplabRenderJson(kv[1], scope);
      return o;
    }
    default: return node[1];
  }
}
${RESPONSE_JS}
/**
 * One request of a flow: render, send, check, record, extract, remember a succeeded once-step, think.
 * @param {CaplabStep} s @param {CaplabScope} scope @param {CaplabVuState} state @param {boolean} isSetup
 */
function caplabStep(s, scope, state, isSetup) {
  if (s.ws !== undefined) { caplabWsStep(s, scope, state, isSetup); return; }
  const url = s.path !== undefined ? BASE_URL + caplabRender(s.path, scope, encodeURIComponent)
    : caplabRender(s.url || [], scope, encodeURIComponent);
  /** @type {Record<string, string>} */
  const headers = {};
  for (const h of s.headers) headers[h[0]] = caplabRender(h[1], scope);
  /** @type {import('k6/http').RequestBody | null} */
  let body = s.json !== undefined ? JSON.stringify(caplabRenderJson(s.json, scope))
    : s.body !== undefined ? caplabRender(s.body, scope) : null;
  if (s.file !== undefined) body = CAPLAB_FILES[s.file];
  else if (s.multipart !== undefined) {
    /** @type {import('k6/http').StructuredRequestBody} */
    const form = {};
    for (const p of s.multipart) {
      const v = p[1];
      form[p[0]] = Array.isArray(v) ? caplabRender(v, scope) : http.file(CAPLAB_FILES[v.file], v.filename, v.contentType);
    }
    body = form;
  }
  /** @type {import('k6/http').Params} */
  const params = {
    headers: headers,
    tags: s.tags,
    timeout: s.timeout,
    // The engine keeps no body it does not need; redirects: the step's, else k6's maxRedirects, as the engine.
    responseType: s.keepBody ? 'text' : 'none',
  };
  if (s.redirects !== null) params.redirects = s.redirects;
  if (s.expected !== null) params.responseCallback = caplabCallbacks[s.key];
  if (s.cookies !== undefined) {
    // k6's request cookies: added to the jar's, or replacing the jar's cookie of that name.
    /** @type {Record<string, string | {value: string, replace: boolean}>} */
    const cookies = {};
    for (const c of s.cookies) cookies[c[0]] = c[2] ? { value: caplabRender(c[1], scope), replace: true } : caplabRender(c[1], scope);
    params.cookies = cookies;
  }
  const res = http.request(s.method, url, body, params);
  const ok = res.status !== 0 && caplabExpected(s, res.status);
  const doc = s.needsJson ? caplabJson(res.body) : undefined;
  if (s.checks.length > 0) {
    /** @type {Record<string, (r: import('k6/http').Response) => boolean>} */
    const sets = {};
    for (const c of s.checks) sets[c.name] = (r) => caplabCheck(c, r);
    check(res, sets);
  }
  if (s.metrics.length > 0) {
    /** @type {Record<string, string>} */
    const tags = Object.assign({}, s.tags, {
      method: s.method, status: String(res.status), expected_response: ok ? 'true' : 'false', proto: res.status === 0 ? '' : String(res.proto),
    });
    // As k6 tags the request's own samples (and the engine its custom metrics): error and error_code for a request
    // without a response, error_code 1000 + status for a response >= 400.
    if (res.error_code) tags.error_code = String(res.error_code);
    if (res.error) tags.error = String(res.error);
    for (const m of s.metrics) {
      const v = m.value;
      /** @type {unknown} */
      let x;
      if (typeof v === 'number') x = v;
      else if (v === 'duration') x = res.timings.duration;
      else if (v === 'ok') x = ok ? 1 : 0;
      else if (v === 'bytes') x = caplabBytes(res.body);
      else x = caplabRead(doc, v);
      if (typeof x === 'boolean') x = Number(x);
      if (typeof x === 'number') METRICS[m.name].add(x, tags);
    }
  }
  let extracted = true;
  for (const e of s.extract) {
    const v = caplabExtract(e[1], res, doc);
    if (v === undefined) extracted = false;
    else state.vars[e[0]] = v;
  }
  if (isSetup && res.status === 0) throw new Error('setup step "' + s.name + '": no response (' + (res.error || 'network error') + ')');
  if (isSetup && !extracted) throw new Error('setup step "' + s.name + '": a value to extract is missing from the response (status ' + res.status + ')');
  if (s.once && ok && extracted) state.onceDone[s.key] = true;
  if (s.think > 0) sleep(s.think / 1000);
}

/**
 * Runs a flow's steps. Once-steps already done are skipped first, then consecutive steps of one group run inside
 * one group() call, which is where the engine starts and ends its group_duration.
 * @param {CaplabStep[]} steps @param {CaplabScope} scope @param {CaplabVuState} state @param {boolean} isSetup
 */
function caplabRunSteps(steps, scope, state, isSetup) {
  const todo = steps.filter((s) => !(s.once && state.onceDone[s.key]));
  let i = 0;
  while (i < todo.length) {
    const name = todo[i].group;
    let j = i;
    while (j < todo.length && todo[j].group === name) j++;
    const run = todo.slice(i, j);
    if (name === '') for (const s of run) caplabStep(s, scope, state, isSetup);
    else group(name, () => { for (const s of run) caplabStep(s, scope, state, isSetup); });
    i = j;
  }
}

/**
 * One iteration of a flow (or of the flow a mix picks) on this VU.
 * @param {string} flow @param {unknown} data setup()'s return value
 */
function caplabIteration(flow, data) {
  if (!caplabVu.ready) {
    if (data !== null && typeof data === 'object') Object.assign(caplabVu.vars, data);
    caplabVu.ready = true;
  }
  const iteration = caplabIterationNumber();
  const vu = exec.vu.idInTest;
  /** @type {CaplabScope} */
  const scope = { user: caplabUserOf(vu), vars: caplabVu.vars, iteration: iteration, vu: vu, scenario: exec.scenario.name };
  caplabRunSteps(caplabPick(flow, iteration), scope, caplabVu, false);
}

/** setup(): the setup flow in its own VU (number 0, first user, iteration 0); its vars become every VU's vars. */
/** @param {CaplabStep[]} steps @returns {Record<string, unknown>} */
function caplabSetup(steps) {
  /** @type {CaplabVuState} */
  const state = { vars: {}, onceDone: {}, ready: true };
  caplabRunSteps(steps, { user: caplabUserOf(0), vars: state.vars, iteration: 0, vu: 0, scenario: '' }, state, true);
  return state.vars;
}
// ---- end of caplab runtime ----
`;
