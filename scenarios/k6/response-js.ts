/**
 * The part of the generated k6 scripts' runtime (runtime-js.ts) that reads a response: JSON paths into a parsed body,
 * extracts (JSON path, regular expression, header), the body's bytes as the engine counts them, expected statuses
 * and checks. The k6 counterpart of scenarios/engine/{extract,jsonpath}.ts and the engine's checks, with the same
 * semantics; runtime-js.ts inlines it where it always stood, so the scripts' text is unchanged.
 */

/** Response helpers of the runtime (plain ES2017 plus JSDoc types, checked with the rest against @types/k6). */
export const RESPONSE_JS = String.raw`
/** @param {unknown} doc @param {(string | number)[]} keys @returns {unknown} */
function caplabRead(doc, keys) {
  let v = doc;
  for (const k of keys) {
    if (v === null || typeof v !== 'object') return undefined;
    v = /** @type {Record<string | number, unknown>} */ (v)[k];
  }
  return v;
}

/** @param {unknown} body @returns {unknown} */
function caplabJson(body) {
  if (typeof body !== 'string') return undefined;
  try {
    return JSON.parse(body);
  } catch (e) {
    return undefined;
  }
}

// Regular expressions of regex extracts, compiled once per VU.
/** @type {Record<string, RegExp>} */
const caplabRegexes = {};

/**
 * One extract (scenarios/engine/extract.ts): ['json', keys], ['header', name] (any case; k6 joins a repeated header
 * with ", "), ['regex', source] (its one group), ['between', left, right] (jslib findBetween; a missing marker fails).
 * @param {any[]} e @param {import('k6/http').Response} res @param {unknown} doc @returns {unknown}
 */
function caplabExtract(e, res, doc) {
  if (e[0] === 'json') return caplabRead(doc, e[1]);
  if (e[0] === 'header') {
    const want = String(e[1]).toLowerCase();
    const headers = res.headers || {};
    for (const k of Object.keys(headers)) if (k.toLowerCase() === want) return headers[k];
    return undefined;
  }
  const body = typeof res.body === 'string' ? res.body : '';
  if (e[0] === 'regex') {
    const re = caplabRegexes[e[1]] || (caplabRegexes[e[1]] = new RegExp(e[1]));
    const m = re.exec(body);
    return m === null ? undefined : m[1];
  }
  let start = body.indexOf(e[1]);
  if (start === -1) return undefined;
  start += e[1].length;
  const end = body.indexOf(e[2], start);
  return end === -1 ? undefined : body.substring(start, end);
}

/** Bytes of a response body as the engine counts them (UTF-8). @param {unknown} body */
function caplabBytes(body) {
  if (typeof body !== 'string') return 0;
  let n = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < body.length) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

/** @param {CaplabStep} s @param {number} status */
function caplabExpected(s, status) {
  if (s.expected === null) return status >= 200 && status < 400;
  for (const e of s.expected) {
    if (typeof e === 'number' ? e === status : status >= e.min && status <= e.max) return true;
  }
  return false;
}

/** @param {CaplabCheck} c @param {import('k6/http').Response} r */
function caplabCheck(c, r) {
  if (c.kind === 'status') return c.want.indexOf(r.status) >= 0;
  if (c.kind === 'duration') return r.status !== 0 && r.timings.duration < c.max;
  return typeof r.body === 'string' && r.body.indexOf(c.needle) >= 0;
}
`;
