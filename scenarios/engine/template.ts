/**
 * Templates of flow steps: `{{user.id}}`, `{{vars.token}}`, `{{env.X}}`, `{{iteration}}`, `{{vu}}`, `{{scenario}}`,
 * and the seeded random helpers of random.ts (`{{random.int 1 100}}`, `{{random.pick a b}}`, `{{uuid}}`).
 * Compiled once per step, rendered per request without re-parsing. In a JSON body, a string that is exactly one
 * placeholder keeps the value's type (`"{{user.contacts}}"` renders the number, not its text).
 * `{{data.<set>.<column>}}` reads the iteration's row of a data set (data-rows.ts).
 */
import type { DataRows } from './data-rows.ts';
import { isRandomKey, labelKey, parseRandomKey, placeholderKey, randomValue } from './random.ts';

/** What a template can refer to while rendering. */
export interface TemplateScope {
  /** The VU's user (a users-file record). */
  user: Readonly<Record<string, unknown>>;
  /** The VU's variables (setup values, then values extracted by earlier steps). */
  vars: Readonly<Record<string, unknown>>;
  /** `{{env.*}}`: the spec's `env` under the process environment and `-e` under the scenario's `env` (run.ts). */
  env: Readonly<Record<string, string>>;
  /** Test-wide iteration number of the scenario (unique across execution segments). */
  iteration: number;
  /** Test-wide VU number (1-based, unique across execution segments). */
  vu: number;
  /** Scenario name. */
  scenario: string;
  /** The run's data sets (`{{data.<set>.<column>}}`), when it has any. */
  data?: DataRows;
}

/** A compiled string template: renders to a string. */
export type StringTemplate = (scope: TemplateScope) => string;

/** Raised when a template refers to a missing value: the iteration fails, the run goes on (k6: an exception in an iteration). */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

type Getter = (scope: TemplateScope) => unknown;

function getter(key: string, site?: number, n = 0): Getter {
  if (isRandomKey(key)) return randomGetter(key, placeholderKey(site, n));
  const dot = key.indexOf('.');
  const root = dot < 0 ? key : key.slice(0, dot);
  const prop = dot < 0 ? '' : key.slice(dot + 1);
  switch (root) {
    case 'iteration': return (s) => s.iteration;
    case 'vu': return (s) => s.vu;
    case 'scenario': return (s) => s.scenario;
    case 'user':
    case 'vars':
    case 'env':
      return (s) => {
        const v = (s[root] as Record<string, unknown>)[prop];
        if (v === undefined) throw new TemplateError(`{{${key}}} is not set`);
        return v;
      };
    case 'data': {
      const at = prop.indexOf('.');
      const set = prop.slice(0, at);
      const column = prop.slice(at + 1);
      return (s) => {
        const v = at > 0 ? s.data?.row(set, s.iteration, s.vu)?.[column] : undefined;
        if (v === undefined) throw new TemplateError(`{{${key}}} is not set`);
        return v;
      };
    }
    default:
      return () => { throw new TemplateError(`unknown template {{${key}}}`); };
  }
}

/** A random helper's getter: its value from the VU and iteration in scope (random.ts). */
function randomGetter(key: string, pk: number): Getter {
  const call = parseRandomKey(key);
  if (typeof call === 'string') return () => { throw new TemplateError(call); };
  if (call.kind === 'pickFrom') {
    const list = getter(call.ref);
    return (s) => {
      try {
        return randomValue(call, pk, s.vu, s.iteration, list(s));
      } catch (err) {
        throw err instanceof TemplateError ? err : new TemplateError((err as Error).message);
      }
    };
  }
  return (s) => randomValue(call, pk, s.vu, s.iteration);
}

const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;

function text(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

/**
 * A template split into its literal parts and its `{{key}}` placeholders, each made by `make`: the one reading of the
 * template syntax, shared by the engine (compileString) and the k6 script's runtime data (k6/flow-data.ts).
 * @param source the template
 * @param make a placeholder's part from its key and, for a random helper, its index among the template's random helpers
 * @returns literal strings and made parts, in order (empty strings left out)
 */
export function templateParts<T>(source: string, make: (key: string, randomIndex: number) => T): (string | T)[] {
  const parts: (string | T)[] = [];
  let last = 0;
  let randoms = 0;
  for (const m of source.matchAll(PLACEHOLDER)) {
    if (m.index > last) parts.push(source.slice(last, m.index));
    parts.push(make(m[1]!, isRandomKey(m[1]!) ? randoms++ : 0));
    last = m.index + m[0].length;
  }
  if (last < source.length) parts.push(source.slice(last));
  return parts;
}

/**
 * Compiles a string template.
 * @param source text with `{{...}}` placeholders
 * @param encode applied to each substituted value (e.g. encodeURIComponent for query strings)
 * @param site the field's random key (random.ts labelKey), so `{{random.*}}` and `{{uuid}}` draw their own values
 * @returns the render function
 * @example compileString('/v1/ota?model={{user.deviceModel}}')(scope)
 */
export function compileString(source: string, encode?: (s: string) => string, site?: number): StringTemplate {
  const parts = templateParts(source, (key, randomIndex) => getter(key, site, randomIndex));
  if (parts.length === 0) return () => '';
  if (parts.length === 1 && typeof parts[0] === 'string') {
    const constant = parts[0];
    return () => constant;
  }
  return (scope) => {
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : encode ? encode(text(p(scope))) : text(p(scope));
    return out;
  };
}

/**
 * Compiles a JSON value whose strings are templates.
 * @param value any JSON value
 * @param site the step's random key (random.ts stepRandomKey): each string draws from `json<pointer>` under it
 * @param pointer JSON pointer of `value` within the body (for the random keys)
 * @returns a function building the rendered value (constant subtrees are shared, not copied)
 */
export function compileJson(value: unknown, site?: number, pointer = ''): (scope: TemplateScope) => unknown {
  if (typeof value === 'string') {
    const leaf = site === undefined ? undefined : labelKey(site, `json${pointer}`);
    const whole = /^\{\{\s*([^}]*?)\s*\}\}$/.exec(value);
    if (whole) return getter(whole[1]!, leaf, 0);
    if (!value.includes('{{')) return () => value;
    return compileString(value, undefined, leaf);
  }
  if (Array.isArray(value)) {
    const items = value.map((v, i) => compileJson(v, site, `${pointer}/${i}`));
    return (s) => items.map((f) => f(s));
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => [k, compileJson(v, site, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`)] as const);
    return (s) => {
      const o: Record<string, unknown> = {};
      for (const [k, f] of entries) o[k] = f(s);
      return o;
    };
  }
  return () => value;
}
