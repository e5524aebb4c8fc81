/**
 * A step's `extract`: values taken from its response into the VU's vars. Four sources:
 * - a JSONPath into the JSON body, written as a string (`"$.token"`) or `{json: "$.token"}`;
 * - a response header, `{header: "X-Session"}` (any case; repeated headers joined with ", ", as k6's res.headers);
 * - a regular expression over the body text, `{regex: "csrf=([0-9a-f]+)"}`, whose one capture group is the value
 *   (first match; JavaScript syntax, as k6 runs it);
 * - the text between two strings, `{between: ["<id>", "</id>"]}`: k6 jslib's findBetween (the first `left`, then
 *   the first `right` after it).
 * A value that is not there (no such header, no match, a marker missing, nothing at the JSONPath) is a failed
 * extraction, whatever the source: the variable keeps its earlier value, a once-step is not done, setup fails.
 * The k6 runtime (runtime-js.ts caplabExtract) reads the same data as {@link extractData} emits.
 */
import type { HttpResponse } from './http-response.ts';
import { headerValue } from './headers.ts';
import { compileJsonPath } from './jsonpath.ts';

/** One extract source as the spec writes it (validated). */
export type ExtractSource = string | { json?: string; header?: string; regex?: string; between?: [string, string] };

/** An extract ready to run. */
export interface CompiledExtract {
  /** Variable name. */
  name: string;
  /** Reads the value (undefined: the extraction failed). */
  read(res: HttpResponse, doc: unknown, text: () => string): unknown;
  /** What it reads: the parsed JSON body, the body text, or a header. */
  needs: 'json' | 'text' | 'header';
}

/**
 * k6 jslib utils' findBetween, telling a missing marker apart from an empty value (findBetween returns '' for both).
 * @param content text to search
 * @param left text right before the value
 * @param right text right after it
 * @returns the text between the first `left` and the first `right` after it, or undefined when either is missing
 * @example findBetween('<a>1</a>', '<a>', '</a>') // '1'
 */
export function findBetween(content: string, left: string, right: string): string | undefined {
  let start = content.indexOf(left);
  if (start === -1) return undefined;
  start += left.length;
  const end = content.indexOf(right, start);
  if (end === -1) return undefined;
  return content.substring(start, end);
}

/**
 * Why a regex cannot be an extract, or undefined when it can (it compiles and has exactly one capture group).
 * @param source the expression, JavaScript syntax
 */
export function regexProblem(source: string): string | undefined {
  let re: RegExp;
  try {
    re = new RegExp(source);
  } catch (err) {
    return `not a regular expression: ${(err as Error).message}`;
  }
  const groups = new RegExp(`${re.source}|`).exec('')!.length - 1;
  return groups === 1 ? undefined : `a regex extract has exactly one capture group (the value); this one has ${groups}`;
}

/**
 * The kind of a source: `json`, `header`, `regex` or `between`.
 * @param src a validated source
 */
export function extractKind(src: ExtractSource): 'json' | 'header' | 'regex' | 'between' {
  if (typeof src === 'string' || src.json !== undefined) return 'json';
  if (src.header !== undefined) return 'header';
  if (src.regex !== undefined) return 'regex';
  return 'between';
}

/**
 * Compiles one extract.
 * @param name the variable
 * @param src its validated source
 * @returns the reader
 */
export function compileExtract(name: string, src: ExtractSource): CompiledExtract {
  const kind = extractKind(src);
  const o = typeof src === 'string' ? { json: src } : src;
  switch (kind) {
    case 'json': {
      const get = compileJsonPath(o.json!);
      return { name, needs: 'json', read: (_r, doc) => get(doc) };
    }
    case 'header': {
      const header = o.header!;
      return { name, needs: 'header', read: (r) => headerValue(r.head, header) };
    }
    case 'regex': {
      const re = new RegExp(o.regex!);
      return { name, needs: 'text', read: (_r, _d, text) => re.exec(text())?.[1] };
    }
    case 'between': {
      const [left, right] = o.between!;
      return { name, needs: 'text', read: (_r, _d, text) => findBetween(text(), left, right) };
    }
  }
}

/**
 * One extract as the generated k6 script's runtime reads it: `['json', keys]`, `['header', name]`,
 * `['regex', source]`, `['between', left, right]`.
 * @param src a validated source
 * @param jsonKeys turns a JSONPath into its key list (k6/flow-data.ts jsonPathKeys)
 */
export function extractData(src: ExtractSource, jsonKeys: (path: string) => (string | number)[]): unknown[] {
  const o = typeof src === 'string' ? { json: src } : src;
  switch (extractKind(src)) {
    case 'json': return ['json', jsonKeys(o.json!)];
    case 'header': return ['header', o.header!];
    case 'regex': return ['regex', o.regex!];
    case 'between': return ['between', o.between![0], o.between![1]];
  }
}
