/**
 * The files a team's k6 script needs beside it, found without running it, so `caplab k6 build` can ship them in the
 * k6-operator ConfigMap with the wrapper: the modules it imports from local files (`import ... from './x.js'`,
 * `export ... from`, `import './x.js'`, `require('./x.js')`, transitively) and the files it reads with `open('...')`.
 *
 * Conservative on purpose. Only string literals are followed: a path k6 would compute at run time (`open(__ENV.F)`,
 * a template literal, `'./' + name`) cannot be known here and is refused, as are absolute paths (they do not exist in
 * the runner pods), bare specifiers that are neither k6 modules nor URLs, and dynamic `import()` (k6 has none).
 * Remote modules (`https://...`) and k6's own (`k6`, `k6/...`) are left to k6. Every problem is listed, with
 * `file:line`. The walk is bounded ({@link SCRIPT_FILES_LIMITS}): a ConfigMap holds at most 1 MiB in all anyway.
 *
 * Layout. A ConfigMap is flat (its keys cannot hold `/`), and k6-operator mounts it as one directory. A file beside
 * the script keeps its name as its key; one elsewhere gets its path relative to the script's folder with `/` as
 * `__` and `..` as `up` (`lib/util.js` -> `lib__util.js`, `../common/a.json` -> `up__common__a.json`), and the
 * literals naming it in the shipped modules are rewritten to `./<key>`; nothing else of the team's text changes.
 * In the flat directory a rewritten `open('./key')` reads the same file whichever module's folder k6 resolves it
 * against (k6 0.48 resolves against the module being loaded; a relative path is resolved here against the module
 * whose text holds the call, the same for the usual top-level or SharedArray-callback use).
 *
 * Pure: files come from the caller's reader.
 */
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Problem } from '../../models/errors.ts';
import { type ScriptToken, tokenizeScript } from './script-exports.ts';

/** Bounds of the walk: files, and bytes per file (a ConfigMap's data is at most 1 MiB). */
export const SCRIPT_FILES_LIMITS = { maxFiles: 100, maxFileBytes: 1_048_576 } as const;

/** One reference to a local file in a module's text. */
export interface LocalReference {
  /** How the module names it. */
  kind: 'import' | 'require' | 'open';
  /** The path as written. */
  specifier: string;
  /** Offsets of the string literal, quotes included. */
  start: number;
  end: number;
  /** Line of the literal. */
  line: number;
  /** `open(path, 'b')`: read as bytes. */
  binary: boolean;
}

/** A file to ship beside the wrapper. */
export interface ShippedFile {
  /** Its key in the ConfigMap (its file name beside the wrapper). */
  key: string;
  /** Where it was read. */
  path: string;
  /** Its text (modules with their local references rewritten to keys), or undefined when shipped as bytes. */
  text?: string;
  /** Its bytes as base64 (ConfigMap `binaryData`), for a file opened with 'b' or that is not UTF-8. */
  base64?: string;
  /** Whether it is a module (imported) rather than data (opened). */
  module: boolean;
}

/** What the reader returns for a path: its bytes, or why it cannot be read. */
export type ReadResult = { bytes: Uint8Array } | { error: string };

const K6_MODULE = /^k6(?:\/|$)/;
const REMOTE = /^https?:\/\//;

/** Whether a module specifier names a local file (`./`, `../`). */
function isRelativeModule(spec: string): boolean {
  return spec.startsWith('./') || spec.startsWith('../');
}

/**
 * The local references of a module's text, and what cannot be followed.
 * @param text module text
 * @param source its path, for problems
 * @returns references in text order, and problems (`file:line`)
 * @throws {ValidationError} when the text is not a module k6 could load (an unterminated string, comment, ...)
 * @example localReferences("import { a } from './a.js';\nconst d = open('data.json');", 'team.js').refs.map((r) => r.specifier)
 *   // ['./a.js', 'data.json']
 */
export function localReferences(text: string, source: string): { refs: LocalReference[]; problems: Problem[] } {
  const t = tokenizeScript(text, source);
  const refs: LocalReference[] = [];
  const problems: Problem[] = [];
  const is = (k: number, kind: ScriptToken['kind'], value?: string): boolean => t[k]?.kind === kind && (value === undefined || t[k]!.value === value);
  // `x.open(...)`, `x?.open(...)`: a property, not k6's open (nor an import or require).
  const afterDot = (k: number): boolean => is(k - 1, 'punct', '.');
  const problem = (k: number, message: string): void => { problems.push({ where: `${source}:${t[k]!.line}`, message }); };
  const literal = (k: number, kind: LocalReference['kind'], binary = false): void => {
    const tok = t[k]!;
    if (tok.value.includes('\\')) {
      problem(k, `${kind === 'open' ? 'open()' : 'the import'} of ${JSON.stringify(tok.value)} has an escape in its path; write the path plainly`);
      return;
    }
    refs.push({ kind, specifier: tok.value, start: tok.start, end: tok.end, line: tok.line, binary });
  };
  /** Index just past the parenthesis group opening at k. */
  const closeOf = (k: number): number => {
    let depth = 0;
    for (let j = k; j < t.length; j++) {
      if (t[j]!.kind !== 'punct') continue;
      const v = t[j]!.value;
      if (v === '(' || v === '[' || v === '{' || v === '${') depth++;
      else if ((v === ')' || v === ']' || v === '}') && --depth === 0) return j + 1;
    }
    return t.length;
  };
  for (let k = 0; k < t.length; k++) {
    const tok = t[k]!;
    if (tok.kind !== 'name' || afterDot(k)) continue;
    if (tok.value === 'from' && is(k + 1, 'string')) {
      literal(k + 1, 'import');
    } else if (tok.value === 'import' && is(k + 1, 'string')) {
      literal(k + 1, 'import');
    } else if (tok.value === 'import' && is(k + 1, 'punct', '(')) {
      problem(k, 'a dynamic import() cannot be followed (k6 loads modules with static imports only); import it statically');
    } else if ((tok.value === 'require' || tok.value === 'open') && is(k + 1, 'punct', '(')) {
      // `function open(...) {` and a method `open(...) {` define an open rather than call one.
      if (is(k - 1, 'name', 'function') || is(closeOf(k + 1), 'punct', '{')) continue;
      const kind = tok.value === 'require' ? 'require' : 'open';
      const arg = k + 2;
      const ok = is(arg, 'string') && (is(arg + 1, 'punct', ')') || is(arg + 1, 'punct', ','));
      if (!ok) {
        problem(k, `${tok.value}() with a path that is not a string literal cannot be followed: name the file with a plain 'string' (caplab ships only the files it can name before the test runs)`);
        continue;
      }
      const binary = kind === 'open' && is(arg + 1, 'punct', ',') && is(arg + 2, 'string', 'b');
      literal(arg, kind, binary);
    }
  }
  return { refs, problems };
}

/** A ConfigMap key for a path relative to the script's folder. */
function keyFor(rel: string): string {
  return rel.split(sep).map((seg) => (seg === '..' ? 'up' : seg)).join('__').replace(/[^-._a-zA-Z0-9]/g, '_');
}

/** The key, made unique among `taken` with `-2`, `-3`, ... before its extension. */
function uniqueKey(key: string, taken: ReadonlySet<string>): string {
  if (!taken.has(key)) return key;
  const dot = key.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [key.slice(0, dot), key.slice(dot)] : [key, ''];
  let n = 2;
  while (taken.has(`${stem}-${n}${ext}`)) n++;
  return `${stem}-${n}${ext}`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of bytes, or undefined when they are not UTF-8. */
function textOf(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Options of {@link collectScriptFiles}. */
export interface CollectOptions {
  /** Keys the script's files must not take (the wrapper's own file name, the build's other files). */
  reserved?: readonly string[];
  /** Bounds (default {@link SCRIPT_FILES_LIMITS}). */
  limits?: { maxFiles: number; maxFileBytes: number };
}

/**
 * The team's script (or scripts) and every local file they need, as files to ship in one flat directory.
 * @param entry the script's absolute path, or several scripts' (keys are relative to the first one's folder)
 * @param read reads a file (absolute path) as bytes
 * @param options reserved keys, limits
 * @returns the files, the scripts first in order (a script's key is what the wrapper imports, as `./<key>`), and
 *   every problem
 * @example collectScriptFiles('/team/shop.js', (p) => ({ bytes: readFileSync(p) }), { reserved: ['script.js'] })
 *   // { files: [{ key: 'shop.js', ... }, { key: 'lib__util.js', ... }, { key: 'items.json', ... }], problems: [] }
 */
export function collectScriptFiles(entry: string | readonly string[], read: (path: string) => ReadResult, options: CollectOptions = {}): { files: ShippedFile[]; problems: Problem[] } {
  const limits = options.limits ?? SCRIPT_FILES_LIMITS;
  const entries = typeof entry === 'string' ? [entry] : entry;
  const base = dirname(entries[0] ?? '.');
  const taken = new Set(options.reserved ?? []);
  const problems: Problem[] = [];
  interface Entry { path: string; key: string; module: boolean; binary: boolean; bytes?: Uint8Array }
  const byPath = new Map<string, Entry>();
  const order: Entry[] = [];
  let refused = false;
  /** The entry of a file, added on first sight (read at once, so problems name the reference). */
  const add = (path: string, module: boolean, binary: boolean, where: string): Entry | undefined => {
    const seen = byPath.get(path);
    if (seen) {
      seen.module ||= module;
      seen.binary ||= binary;
      return seen;
    }
    if (order.length >= limits.maxFiles) {
      if (!refused) problems.push({ where, message: `the script needs more than ${limits.maxFiles} local files; caplab ships at most ${limits.maxFiles} beside it` });
      refused = true;
      return undefined;
    }
    const got = read(path);
    if ('error' in got) {
      problems.push({ where, message: `cannot read ${path}: ${got.error}` });
      return undefined;
    }
    if (got.bytes.byteLength > limits.maxFileBytes) {
      problems.push({ where, message: `${path} is ${got.bytes.byteLength} bytes, over the ${limits.maxFileBytes}-byte limit of a file shipped in a ConfigMap` });
      return undefined;
    }
    const key = uniqueKey(keyFor(relative(base, path)), taken);
    taken.add(key);
    const e: Entry = { path, key, module, binary, bytes: got.bytes };
    byPath.set(path, e);
    order.push(e);
    return e;
  };
  const firsts = entries.map((e) => add(e, true, false, e));
  // Modules to scan, and each scanned module's references resolved to entries.
  const resolved = new Map<Entry, { ref: LocalReference; target: Entry }[]>();
  for (let i = 0; i < order.length; i++) {
    const e = order[i]!;
    if (!e.module || resolved.has(e)) continue;
    const text = textOf(e.bytes!);
    if (text === undefined) {
      problems.push({ where: e.path, message: 'is imported as a module but is not UTF-8 text' });
      resolved.set(e, []);
      continue;
    }
    let found: { refs: LocalReference[]; problems: Problem[] };
    try {
      found = localReferences(text, e.path);
    } catch (err) {
      const p = (err as { problems?: Problem[] }).problems;
      problems.push(...(p ?? [{ where: e.path, message: (err as Error).message }]));
      resolved.set(e, []);
      continue;
    }
    problems.push(...found.problems);
    const links: { ref: LocalReference; target: Entry }[] = [];
    for (const ref of found.refs) {
      const where = `${e.path}:${ref.line}`;
      const spec = ref.specifier;
      let path: string | undefined;
      if (ref.kind === 'open') {
        if (spec === '') problems.push({ where, message: 'open() of an empty path' });
        else if (isAbsolute(spec) || spec.startsWith('file://')) problems.push({ where, message: `open() of the absolute path ${JSON.stringify(spec)}: it does not exist in the runner pods; open it by a path relative to the script` });
        else path = resolve(dirname(e.path), spec);
      } else if (K6_MODULE.test(spec) || REMOTE.test(spec)) {
        continue;
      } else if (isRelativeModule(spec)) {
        path = resolve(dirname(e.path), spec);
      } else if (isAbsolute(spec) || spec.startsWith('file://')) {
        problems.push({ where, message: `imports the absolute path ${JSON.stringify(spec)}: it does not exist in the runner pods; import it by a relative path (./ or ../)` });
      } else {
        problems.push({ where, message: `imports ${JSON.stringify(spec)}, neither a k6 module, an http(s) URL nor a relative path (./ or ../): caplab cannot ship it` });
      }
      if (path === undefined) continue;
      const target = add(path, ref.kind !== 'open', ref.binary, where);
      if (target) links.push({ ref, target });
    }
    resolved.set(e, links);
  }
  if (firsts.some((f) => f === undefined)) return { files: [], problems };
  const files = order.map((e): ShippedFile => {
    const links = resolved.get(e);
    const text = e.binary ? undefined : textOf(e.bytes!);
    if (text === undefined) return { key: e.key, path: e.path, base64: Buffer.from(e.bytes!).toString('base64'), module: e.module };
    if (!links) return { key: e.key, path: e.path, text, module: e.module };
    // Rewrite, last first, each literal that does not already name its file's key beside this one.
    let out = text;
    for (const { ref, target } of [...links].sort((a, b) => b.ref.start - a.ref.start)) {
      const want = `./${target.key}`;
      if (ref.specifier === want || (ref.kind === 'open' && ref.specifier === target.key)) continue;
      const quote = text[ref.start]!;
      out = `${out.slice(0, ref.start)}${quote}${want}${quote}${out.slice(ref.end)}`;
    }
    return { key: e.key, path: e.path, text: out, module: e.module };
  });
  return { files, problems };
}

/**
 * Where each shipped file came from, relative to the (first) script's folder, for messages and RUN.md.
 * @param entry the (first) script's absolute path
 * @param files what {@link collectScriptFiles} returned
 * @returns `key <- relative path` lines' parts
 */
export function shippedFrom(entry: string, files: readonly ShippedFile[]): { key: string; from: string }[] {
  return files.map((f) => ({ key: f.key, from: relative(dirname(entry), f.path).split(sep).join('/') }));
}
