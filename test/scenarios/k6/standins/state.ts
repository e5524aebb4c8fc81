/**
 * Shared state of the k6 stand-ins: what the script did (requests, checks, metric samples, sleeps, groups), the
 * execution context the runner sets before each call (k6/execution's VU and scenario numbers) and each VU's tags
 * (`exec.vu.tags` / `exec.vu.metrics.tags`). One instance per test process; the runner resets it per run.
 */

/** A request the script made through the k6/http stand-in. */
export interface RecordedRequest {
  /** HTTP method. */
  method: string;
  /** Full URL as the script built it. */
  url: string;
  /** Headers as the script passed them. */
  headers: Record<string, string>;
  /** Request body (null when none); a binary or multipart body as UTF-8 text. */
  body: string | null;
  /** The body's bytes as sent (a file, a multipart form), when it is not a string. */
  bodyBytes?: Uint8Array;
  /** Request tags: the VU's tags when it was sent, then params.tags (which win on a clash, as in k6). */
  tags: Record<string, string>;
  /** Group path when sent (`''`, `::g`, `::setup`). */
  group: string;
  /** Status the responder gave. */
  status: number;
  /** Whether the request's responseCallback (or k6's default 200-399) counts it as expected. */
  expected: boolean;
  /** params.responseType. */
  responseType: string | undefined;
  /** params.redirects. */
  redirects: number | undefined;
  /** params.timeout. */
  timeout: string | number | undefined;
  /** Timings the responder measured (a fixed 1 ms when it gives none). */
  timings: StandinTimings;
  /** Why there was no response (status 0), else ''. */
  error: string;
}

/** k6's Response.timings, ms. */
export interface StandinTimings {
  duration: number;
  blocked: number;
  connecting: number;
  tls_handshaking: number;
  sending: number;
  waiting: number;
  receiving: number;
}

/** What a responder returns for a request. */
export interface StandinResponse {
  /** HTTP status (0 = network error). */
  status: number;
  /** Response body text. */
  body: string;
  /** Measured timings (a responder that makes real requests, like the stand-in k6 binary's, gives them). */
  timings?: StandinTimings;
  /** Why there was no response, for status 0. */
  error?: string;
  /**
   * Response headers, names in any case, a repeated header as a list: `Set-Cookie` feeds the VU's cookie jar,
   * `Location` the redirects; the script's res.headers has them as k6 does (Go's canonical names, values joined ", ").
   */
  headers?: Record<string, string | string[]>;
}

/** The whole request, for a responder that sends it for real (the stand-in k6 binary's). */
export interface StandinRequest {
  /** Full URL. */
  url: string;
  /** Headers as the script passed them. */
  headers: Record<string, string>;
  /** params.timeout. */
  timeout: string | number | undefined;
  /** The body's bytes, when the script sent bytes (a file, a multipart form) rather than a string. */
  bodyBytes?: Uint8Array;
}

/** Produces the response of a request (the same function the engine's test server uses). */
export type Responder = (method: string, path: string, body: string, request: StandinRequest) => StandinResponse;

/** A VU tag's value as a script may set it; k6 tags with its string form. */
export type VuTagValue = string | number | boolean;

/** A check() result. */
export interface RecordedCheck {
  /** Check name. */
  name: string;
  /** Whether its predicate held. */
  ok: boolean;
  /** Group path when checked. */
  group: string;
  /** The VU's tags when checked, then check()'s own tags argument. */
  tags: Record<string, string>;
}

/** Everything recorded during a run, plus the context the stand-ins read. */
export const standin = {
  requests: [] as RecordedRequest[],
  checks: [] as RecordedCheck[],
  samples: [] as { metric: string; value: number; tags: Record<string, string>; type: 'counter' | 'gauge' | 'rate' | 'trend'; isTime: boolean }[],
  sleeps: [] as number[],
  groupStack: [] as string[],
  responder: ((): StandinResponse => ({ status: 200, body: 'ok' })) as Responder,
  files: new Map<string, string>(),
  /** The script's options.maxRedirects (k6's default 10 when undefined); the runner sets it from the init module. */
  maxRedirects: undefined as number | undefined,
  exec: {
    vu: { idInTest: 0, idInInstance: 0, iterationInScenario: 0, iterationInInstance: 0 },
    scenario: { name: '', executor: '', iterationInTest: 0, iterationInInstance: 0, startTime: 0, progress: 0 },
  },
  /** Each VU's live tag map (test-wide VU id -> tags), the object `exec.vu.tags` hands the script. */
  vuTags: new Map<number, Record<string, VuTagValue>>(),
  /** SharedArrays by name: built once per run, by the first init context that asks, as k6 does. */
  sharedArrays: new Map<string, readonly unknown[]>(),
  /**
   * Counts calls of the script's functions (setup, each iteration, teardown): the runner adds one before each, and a
   * VU's cookie jar is emptied when its first request sees a new count, as k6 gives each iteration a new jar.
   */
  iteration: 0,
  /** k6's noCookiesReset option of the script (the runner sets it from `options`). */
  noCookiesReset: false,
  /** Each VU's cookie jar (http.ts) and the iteration count it was made at. */
  jars: new Map<number, unknown>(),
};

/**
 * The tag map of a VU, created empty on first use. It is live: what the script writes into it stays for the VU's
 * later iterations, as k6 keeps a VU's tags until a scenario activates the VU again.
 * @param vu test-wide VU id (0: setup and teardown)
 * @returns the map `exec.vu.tags` and `exec.vu.metrics.tags` return
 */
export function vuTags(vu: number): Record<string, VuTagValue> {
  let tags = standin.vuTags.get(vu);
  if (!tags) standin.vuTags.set(vu, (tags = {}));
  return tags;
}

/**
 * Starts a VU's activation: its tags become `initial`, dropping what the script set before. k6 does this whenever a
 * scenario activates a VU (its tags become the run's tags plus the scenario's, js/runner.go Activate).
 * @param vu test-wide VU id
 * @param initial the tags it starts with
 */
export function activateVuTags(vu: number, initial: Record<string, string>): void {
  standin.vuTags.set(vu, { ...initial });
}

/**
 * The running VU's tags now, as strings: what k6 adds to a sample the VU emits at this moment. Only strings,
 * numbers and booleans are tag values in k6; anything else is left out.
 * @returns tag -> value (empty when the VU has none)
 */
export function currentVuTags(): Record<string, string> {
  const out: Record<string, string> = {};
  const tags = standin.vuTags.get(standin.exec.vu.idInTest);
  if (tags) for (const [k, v] of Object.entries(tags)) if (['string', 'number', 'boolean'].includes(typeof v)) out[k] = String(v);
  return out;
}

/** Current group path, as k6 tags it (`::a::b`, or `''` at the root). */
export function groupPath(): string {
  return standin.groupStack.map((g) => `::${g}`).join('');
}

/** Clears recordings and context for a new run. */
export function resetStandins(responder: Responder, files: Map<string, string>): void {
  standin.requests.length = 0;
  standin.checks.length = 0;
  standin.samples.length = 0;
  standin.sleeps.length = 0;
  standin.groupStack.length = 0;
  standin.vuTags.clear();
  standin.sharedArrays.clear();
  standin.iteration = 0;
  standin.noCookiesReset = false;
  standin.jars.clear();
  standin.responder = responder;
  standin.files = files;
  standin.maxRedirects = undefined;
}
