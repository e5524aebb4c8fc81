/**
 * The parts of a scenario spec that name the user's own files: a step's body sent from a file (`body: {file}`),
 * multipart/form-data parts with files (`multipart`), and data sets of rows (`data.sets`, CSV or JSON) read as
 * `{{data.<set>.<column>}}`. Their schemas, the list of files a spec names (with each one's JSON path, so the CLI
 * can say which field names a file it cannot read), and the cross-field rules. Paths are relative to the spec file.
 * The engine never reads a file: the CLI hands their contents in as {@link SpecFiles} (cli/inputs/spec-files.ts).
 */
import { z } from 'zod';
import type { PackedRows } from './data-files.ts';

/** A request body read from a file: its bytes are sent as they are. */
export const BodyFileSchema = z.strictObject({ file: z.string().min(1) });

/** A multipart file part, as k6's `http.file(open(file, 'b'), filename, contentType)`. */
export const MultipartFileSchema = z.strictObject({
  file: z.string().min(1),
  /** Default: the file's base name. */
  filename: z.string().min(1).optional(),
  /** Default: application/octet-stream, as k6's http.file. */
  contentType: z.string().min(1).optional(),
});

/** `multipart`: form fields (templates) and file parts, in order. */
export const MultipartSchema = z.record(z.string().min(1), z.union([z.string(), MultipartFileSchema]));

/** How a data set's row is picked for an iteration. */
export const DATA_PICKS = ['vu', 'iteration', 'random'] as const;

/** A data set: rows of the user's own CSV (header row) or JSON (array of objects) file. */
export const DataSetSchema = z.strictObject({
  file: z.string().min(1),
  /** Default: from the file's extension (.csv, .json). */
  format: z.enum(['csv', 'json']).optional(),
  /**
   * `vu`: row (vu - 1) mod rows, the same row for every iteration of a VU (as users); `iteration`: row iteration mod
   * rows, a new row each iteration (test-wide iteration number); `random`: a seeded random row each iteration.
   */
  pick: z.enum(DATA_PICKS).default('vu'),
  /** Seed of `random` picks (default: the run's seed). */
  seed: z.number().int().nonnegative().optional(),
});

/** Names of data sets: they appear in templates as `{{data.<name>.<column>}}`. */
export const DATA_SET_NAME = /^[A-Za-z_]\w*$/;

/** `data.sets` (names are checked by {@link specFileIssues}, which says what is wrong with one). */
export const DataSetsSchema = z.record(z.string(), DataSetSchema);

/** Cookie names: HTTP tokens (Go's isCookieNameValid). */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A validated data set. */
export type DataSet = z.output<typeof DataSetSchema>;
/** A validated multipart value. */
export type MultipartValue = z.output<typeof MultipartSchema>[string];

/** The file contents a run needs, handed to the engine (and to its worker threads: plain data, shared memory). */
export interface SpecFiles {
  /** Bytes of each file a step sends (`body.file`, multipart file parts), by the path as the spec writes it. */
  blobs: Record<string, Uint8Array>;
  /** Rows of each data set, by set name (data-files.ts). */
  data: Record<string, PackedRows>;
}

/** A file a spec names. */
export interface FileRef {
  /** The path as written (relative to the spec). */
  file: string;
  /** What it is: sent bytes (body, multipart part) or a data set's rows. */
  kind: 'blob' | 'data';
  /** JSON path of the field naming it. */
  at: (string | number)[];
}

/** The parts of a spec this module reads (kept structural, so spec.ts can call it before its own types exist). */
interface SpecShape {
  data: { sets?: Record<string, DataSet> | undefined };
  setup?: { steps?: StepShape[] | undefined } | undefined;
  flows: Record<string, { steps?: StepShape[] | undefined }>;
}

interface StepShape {
  cookies?: Record<string, unknown> | undefined;
  body?: string | { file: string } | undefined;
  multipart?: Record<string, MultipartValue> | undefined;
  json?: unknown;
  headers: Record<string, string>;
}

/** Every step of a spec with its JSON path. */
function stepsOf(spec: SpecShape): [StepShape, (string | number)[]][] {
  const out: [StepShape, (string | number)[]][] = [];
  for (const [name, f] of Object.entries(spec.flows)) f.steps?.forEach((s, i) => out.push([s, ['flows', name, 'steps', i]]));
  spec.setup?.steps?.forEach((s, i) => out.push([s, ['setup', 'steps', i]]));
  return out;
}

/**
 * Every file a spec names, in spec order (data sets first); the same file may appear more than once.
 * @param spec validated spec
 * @returns the references
 */
export function fileRefsOf(spec: SpecShape): FileRef[] {
  const refs: FileRef[] = [];
  for (const [name, set] of Object.entries(spec.data.sets ?? {})) refs.push({ file: set.file, kind: 'data', at: ['data', 'sets', name, 'file'] });
  for (const [step, at] of stepsOf(spec)) {
    if (typeof step.body === 'object') refs.push({ file: step.body.file, kind: 'blob', at: [...at, 'body', 'file'] });
    for (const [field, v] of Object.entries(step.multipart ?? {})) {
      if (typeof v === 'object') refs.push({ file: v.file, kind: 'blob', at: [...at, 'multipart', field, 'file'] });
    }
  }
  return refs;
}

/**
 * The format of a data set: its `format`, else its file's extension.
 * @param set the data set
 * @returns csv or json, or undefined when neither is said nor implied
 */
export function dataFormatOf(set: DataSet): 'csv' | 'json' | undefined {
  if (set.format !== undefined) return set.format;
  if (/\.csv$/i.test(set.file)) return 'csv';
  if (/\.json$/i.test(set.file)) return 'json';
  return undefined;
}

/** A `{{data.<set>.<column>}}` key split, or undefined when it is not of that shape. */
export function dataKeyParts(key: string): { set: string; column: string } | undefined {
  const m = /^data\.([A-Za-z_]\w*)\.(.+)$/.exec(key);
  return m ? { set: m[1]!, column: m[2]! } : undefined;
}

/**
 * The problem with a `{{data...}}` template key, if any.
 * @param key the key inside the braces (starts with `data.`)
 * @param spec the spec (its data sets)
 * @returns the message, or undefined when the key names a declared set (its columns are checked against the file by
 *   the CLI, which reads it)
 */
export function dataKeyProblem(key: string, spec: SpecShape): string | undefined {
  const parts = dataKeyParts(key);
  if (parts === undefined) return `{{${key}}} is not {{data.<set>.<column>}}`;
  const sets = Object.keys(spec.data.sets ?? {});
  if (!sets.includes(parts.set)) {
    return `{{${key}}} names the data set "${parts.set}", which data.sets does not declare${sets.length ? ` (it has ${sets.map((s) => `"${s}"`).join(', ')})` : ''}`;
  }
  return undefined;
}

/**
 * Cross-field rules of files, multipart and data sets: a step has one kind of body; multipart has a file part (k6 sends
 * an object without files url-encoded, not as multipart) and no Content-Type header of the step's (the boundary is
 * the runner's); a data set's format is known.
 * @param spec validated spec
 * @param issues where problems go, with their JSON paths
 */
export function specFileIssues(spec: SpecShape, issues: { path: (string | number)[]; message: string }[]): void {
  for (const [name, set] of Object.entries(spec.data.sets ?? {})) {
    if (!DATA_SET_NAME.test(name)) issues.push({ path: ['data', 'sets', name], message: `"${name}" is not a data set name: letters, digits and _, not starting with a digit (templates read it as {{data.<name>.<column>}})` });
    if (dataFormatOf(set) === undefined) issues.push({ path: ['data', 'sets', name, 'format'], message: `cannot tell the format of "${set.file}" from its extension: say "format": "csv" or "json"` });
  }
  for (const [step, at] of stepsOf(spec)) {
    for (const name of Object.keys(step.cookies ?? {})) {
      if (!COOKIE_NAME.test(name)) issues.push({ path: [...at, 'cookies', name], message: `"${name}" is not a cookie name (an HTTP token: letters, digits and !#$%&'*+-.^_\`|~)` });
    }
    const kinds = [step.json !== undefined && 'json', step.body !== undefined && 'body', step.multipart !== undefined && 'multipart'].filter(Boolean);
    if (kinds.length > 1) issues.push({ path: at, message: `a step has at most one of "json", "body" or "multipart" (it has ${kinds.map((k) => `"${k}"`).join(' and ')})` });
    if (step.multipart === undefined) continue;
    const entries = Object.values(step.multipart);
    if (entries.length === 0 || entries.every((v) => typeof v === 'string')) {
      issues.push({ path: [...at, 'multipart'], message: 'multipart needs at least one file part ({"file": "path"}); plain fields alone are a url-encoded form: send them as "body" with a content-type header' });
    }
    const ct = Object.keys(step.headers).find((h) => h.toLowerCase() === 'content-type');
    if (ct !== undefined) issues.push({ path: [...at, 'headers', ct], message: 'a multipart step sets no Content-Type: the runner writes multipart/form-data with its boundary' });
  }
}

/**
 * The template strings of a multipart's fields (file parts have none), for the spec's template-key check.
 * @param multipart the step's multipart, if any
 * @returns the field values that are templates
 */
export function multipartTemplates(multipart: Record<string, MultipartValue> | undefined): string[] {
  return Object.values(multipart ?? {}).filter((v): v is string => typeof v === 'string');
}

/**
 * Every `{{data.<set>.<column>}}` a step uses, with the step's JSON path (the CLI checks the columns against the file).
 * @param spec validated spec
 * @returns set, column and where, in spec order
 */
export function dataKeysOf(spec: SpecShape): { set: string; column: string; at: (string | number)[] }[] {
  const out: { set: string; column: string; at: (string | number)[] }[] = [];
  for (const [step, at] of stepsOf(spec)) {
    const s = step as StepShape & { path?: string; url?: string; cookies?: unknown };
    const scan = (v: unknown): void => {
      if (typeof v === 'string') {
        for (const m of v.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
          const parts = dataKeyParts(m[1]!);
          if (parts !== undefined) out.push({ ...parts, at });
        }
      } else if (Array.isArray(v)) v.forEach(scan);
      else if (v !== null && typeof v === 'object') Object.values(v).forEach(scan);
    };
    scan([s.path, s.url, s.headers, s.json, typeof s.body === 'string' ? s.body : undefined, s.cookies, multipartTemplates(s.multipart)]);
  }
  return out;
}

/**
 * The filename a multipart file part is sent with when the spec gives none: the file's base name.
 * @param file the path as the spec writes it (`/` or `\` separators)
 * @returns its last segment
 * @example defaultFilename('photos/beach.jpg') // 'beach.jpg'
 */
export function defaultFilename(file: string): string {
  return file.split(/[\\/]/).pop() || file;
}
