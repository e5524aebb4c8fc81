/**
 * The names a k6 script (an ES module's text) exports, without running it: so caplab can say before k6 starts that a
 * catalog's `exec` names no function of the script (exit 104) instead of k6 failing mid-campaign.
 *
 * Why a scanner and not a parser: the TypeScript compiler is a devDependency only and caplab adds no runtime
 * dependency for this. Exports can only appear at a module's top level, so it is enough to tokenize correctly
 * (comments, strings, template literals with nested `${}`, regular expressions) and read the few `export` forms at
 * bracket depth 0. test/scenarios/k6/script-exports.test.ts checks it against the TypeScript parser.
 *
 * Limits, said plainly: `/` after `)` or `}` is read as division (a regex literal right after an `if (...)` or a
 * block is misread; both are rare and only matter if the regex holds quotes or brackets); CommonJS
 * (`module.exports`) is not read; `export * from` lists the module, not its names.
 */
import { ValidationError } from '../../models/errors.ts';

/** What a script exports. */
export interface ScriptExports {
  /** Exported names in source order, each once (`default` for a default export). Type-only exports are left out. */
  names: string[];
  /** Specifiers of `export * from '...'`: whatever those modules export is exported too, unknown here. */
  reExportsAllFrom: string[];
}

/** A token of a module's text (comments and whitespace are not tokens). */
export interface ScriptToken {
  kind: 'name' | 'punct' | 'string' | 'template' | 'number' | 'regex';
  /** The text; for a string, what is between its quotes (escapes as written). */
  value: string;
  line: number;
  /** A line break separates it from the previous token (where automatic semicolon insertion may end a statement). */
  newlineBefore: boolean;
  /** Offset of its first character in the text (a string's opening quote). */
  start: number;
  /** Offset just past its last character (a string's closing quote). */
  end: number;
}
type Token = ScriptToken;

const ID_START = /[A-Za-z_$\u0080-\uffff]/;
const ID_PART = /[\w$\u0080-\uffff]/;
/** After these words an expression starts, so `/` opens a regular expression. */
const BEFORE_EXPRESSION = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);
/** Words that, first on a line, start a new statement: a declaration's initializer cannot run on into them. */
const STATEMENT_START = new Set(['export', 'import', 'function', 'class', 'const', 'let', 'var', 'if', 'for', 'while', 'do', 'switch', 'try', 'throw', 'async']);
const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}', '${': '}' };

/**
 * Splits module text into tokens; comments and whitespace dropped. A template literal is one `template` token per
 * literal part (its text is not kept), with `${`, the substitution's tokens and `}` between them.
 * @param text module text
 * @param source file name, for error locations
 * @returns the tokens in order
 * @throws {ValidationError} when a comment, string, template literal or regular expression is not closed
 */
export function tokenizeScript(text: string, source: string): Token[] {
  const out: Token[] = [];
  // What each open `{` is: a block/object, or a template substitution whose `}` resumes the template literal.
  const braces: ('brace' | 'template')[] = [];
  let i = text.startsWith('#!') ? text.indexOf('\n') : 0;
  if (i < 0) i = text.length;
  let line = 1;
  let newline = false;
  const fail = (what: string, at: number): never => {
    throw new ValidationError(`scriptExports: ${source} cannot be read`, [{ where: `${source}:${at}`, message: `unterminated ${what}` }]);
  };
  const push = (kind: Token['kind'], value: string, at: number, start: number, end: number): void => {
    out.push({ kind, value, line: at, newlineBefore: newline, start, end });
    newline = false;
  };
  /** Reads template characters from i (just after '`' or a substitution's '}') to '`' or '${'. */
  const templatePart = (startLine: number): void => {
    while (i < text.length) {
      const c = text[i]!;
      if (c === '\n' || (c === '\\' && text[i + 1] === '\n')) line++;
      if (c === '\\') { i += 2; continue; }
      if (c === '`') { i++; push('template', '`', startLine, i - 1, i); return; }
      if (c === '$' && text[i + 1] === '{') { i += 2; braces.push('template'); push('punct', '${', startLine, i - 2, i); return; }
      i++;
    }
    fail('template literal', startLine);
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') { line++; newline = true; i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v' || c === '\ufeff' || c === '\u00a0') { i++; continue; }
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) fail('comment', line);
      for (let k = i; k < end; k++) if (text[k] === '\n') { line++; newline = true; }
      i = end + 2;
      continue;
    }
    const start = line;
    if (c === '"' || c === "'") {
      let k = i + 1;
      while (k < text.length && text[k] !== c && text[k] !== '\n') k += text[k] === '\\' ? 2 : 1;
      if (text[k] !== c) fail('string', start);
      push('string', text.slice(i + 1, k), start, i, k + 1);
      // A backslash-newline continues the string on the next line.
      for (let n = i; n < k; n++) if (text[n] === '\n') line++;
      i = k + 1;
      continue;
    }
    if (c === '`') { i++; templatePart(start); continue; }
    if (ID_START.test(c)) {
      let k = i + 1;
      while (k < text.length && ID_PART.test(text[k]!)) k++;
      push('name', text.slice(i, k), start, i, k);
      i = k;
      continue;
    }
    if (/\d/.test(c) || (c === '.' && /\d/.test(text[i + 1] ?? ''))) {
      let k = i + 1;
      while (k < text.length && (/[\w.]/.test(text[k]!) || (/[+-]/.test(text[k]!) && /[eE]/.test(text[k - 1]!) && !/^0[xX]/.test(text.slice(i, k))))) k++;
      push('number', text.slice(i, k), start, i, k);
      i = k;
      continue;
    }
    if (c === '/' && regexAllowed(out[out.length - 1])) {
      let k = i + 1;
      let inClass = false;
      while (k < text.length && text[k] !== '\n' && (inClass || text[k] !== '/')) {
        if (text[k] === '\\') k++;
        else if (text[k] === '[') inClass = true;
        else if (text[k] === ']') inClass = false;
        k++;
      }
      if (text[k] !== '/') fail('regular expression', start);
      k++;
      while (k < text.length && ID_PART.test(text[k]!)) k++;
      push('regex', text.slice(i, k), start, i, k);
      i = k;
      continue;
    }
    if (c === '.' && text.startsWith('...', i)) { push('punct', '...', start, i, i + 3); i += 3; continue; }
    if (c === '{') braces.push('brace');
    if (c === '}' && braces.pop() === 'template') {
      push('punct', '}', start, i, i + 1);
      i++;
      templatePart(start);
      continue;
    }
    push('punct', c, start, i, i + 1);
    i++;
  }
  return out;
}

/** Whether a `/` after this token starts a regular expression (rather than dividing). */
function regexAllowed(prev: Token | undefined): boolean {
  if (prev === undefined) return true;
  if (prev.kind === 'name') return BEFORE_EXPRESSION.has(prev.value);
  if (prev.kind === 'punct') return prev.value !== ')' && prev.value !== ']' && prev.value !== '}';
  // A template token is either a whole literal / tail (an expression end) or `${` (punct, handled above).
  return false;
}

/** Index just past the bracket group that opens at `i`. */
function skipGroup(t: Token[], i: number): number {
  let depth = 0;
  for (let k = i; k < t.length; k++) {
    const v = t[k]!.kind === 'punct' ? t[k]!.value : '';
    if (v in OPEN) depth++;
    else if (v === ')' || v === ']' || v === '}') if (--depth === 0) return k + 1;
  }
  return t.length;
}

/** Index of the first of `stops` at depth 0 from `i` (or where a new statement starts on a new line). */
function skipExpression(t: Token[], i: number, stops: ReadonlySet<string>): number {
  let k = i;
  while (k < t.length) {
    const tok = t[k]!;
    if (tok.kind === 'punct' && stops.has(tok.value)) return k;
    if (tok.kind === 'punct' && (tok.value === ')' || tok.value === ']' || tok.value === '}')) return k;
    if (k > i && tok.newlineBefore && tok.kind === 'name' && STATEMENT_START.has(tok.value)) return k;
    k = tok.kind === 'punct' && tok.value in OPEN ? skipGroup(t, k) : k + 1;
  }
  return k;
}

const COMMA = new Set([',']);

/** Names bound by a binding pattern at `i` (identifier, `{...}` or `[...]`); returns them and the index after it. */
function bindingNames(t: Token[], i: number, names: string[]): number {
  const tok = t[i];
  if (tok === undefined) return i;
  if (tok.kind === 'name') { names.push(tok.value); return i + 1; }
  if (tok.kind !== 'punct' || (tok.value !== '{' && tok.value !== '[')) return i + 1;
  const object = tok.value === '{';
  const close = object ? '}' : ']';
  let k = i + 1;
  while (k < t.length && !(t[k]!.kind === 'punct' && t[k]!.value === close)) {
    const cur = t[k]!;
    if (cur.kind === 'punct' && cur.value === ',') { k++; continue; }
    if (cur.kind === 'punct' && cur.value === '...') { k = bindingNames(t, k + 1, names); continue; }
    if (object) {
      // key [: pattern] [= default]; a computed key is skipped as a group.
      const key = cur;
      k = cur.kind === 'punct' && cur.value === '[' ? skipGroup(t, k) : k + 1;
      if (t[k]?.kind === 'punct' && t[k]!.value === ':') k = bindingNames(t, k + 1, names);
      else if (key.kind === 'name') names.push(key.value);
    } else {
      k = bindingNames(t, k, names);
    }
    if (t[k]?.kind === 'punct' && t[k]!.value === '=') k = skipExpression(t, k + 1, COMMA);
  }
  return k + 1;
}

const DECLARATOR_END = new Set([',', ';']);

/** The names one `export ...` statement at `i` (the token after `export`) adds. */
function exportedBy(t: Token[], i: number, out: ScriptExports): void {
  const at = (k: number, v: string): boolean => t[k]?.value === v && (t[k]!.kind === 'punct' || t[k]!.kind === 'name');
  if (t[i] === undefined) return;
  if (at(i, 'default')) { out.names.push('default'); return; }
  if (at(i, '*')) {
    if (at(i + 1, 'as')) out.names.push(t[i + 2]!.value);
    else if (at(i + 1, 'from') && t[i + 2]?.kind === 'string') out.reExportsAllFrom.push(t[i + 2]!.value);
    return;
  }
  if (at(i, '{')) {
    const end = skipGroup(t, i) - 1;
    for (let k = i + 1; k < end; k++) {
      if (at(k, ',')) continue;
      // `type X` inside the braces is a TypeScript type-only name.
      if (at(k, 'type') && t[k + 1] && !at(k + 1, ',') && !at(k + 1, 'as') && !at(k + 1, '}')) { k = skipExpression(t, k, COMMA) - 1; continue; }
      let name = t[k]!.value;
      if (at(k + 1, 'as')) { name = t[k + 2]!.value; k += 2; }
      out.names.push(name);
    }
    return;
  }
  let k = i;
  if (at(k, 'async')) k++;
  if (at(k, 'abstract')) k++;
  if (at(k, 'function') || at(k, 'class') || at(k, 'enum') || at(k, 'namespace')) {
    k++;
    if (at(k, '*')) k++;
    if (t[k]?.kind === 'name') out.names.push(t[k]!.value);
    return;
  }
  if (at(k, 'var') || at(k, 'let') || at(k, 'const')) {
    k++;
    if (at(k, 'enum')) { if (t[k + 1]?.kind === 'name') out.names.push(t[k + 1]!.value); return; }
    for (;;) {
      k = bindingNames(t, k, out.names);
      // A TypeScript annotation (`: T`) and the initializer both run to the next declarator or the statement's end.
      if (at(k, ':') || at(k, '=')) k = skipExpression(t, k + 1, DECLARATOR_END);
      if (!at(k, ',')) return;
      k++;
    }
  }
  // `type`, `interface`, `declare`, `import X =`: TypeScript forms that export no runtime value caplab could call.
}

/**
 * Lists what an ES module's text exports.
 * @param text the script's text (JavaScript or TypeScript, as k6 runs them)
 * @param source file name, for error locations
 * @returns exported names in source order, and the modules re-exported whole
 * @throws {ValidationError} when a comment, string, template literal or regular expression is not closed (the text
 *   is not a module k6 could run), with its `file:line`
 * @example scriptExports("export const options = {};\nexport default function () {}\nexport function checkout() {}", 'team.js')
 *   // { names: ['options', 'default', 'checkout'], reExportsAllFrom: [] }
 */
export function scriptExports(text: string, source: string): ScriptExports {
  const t = tokenizeScript(text, source);
  const out: ScriptExports = { names: [], reExportsAllFrom: [] };
  let depth = 0;
  for (let k = 0; k < t.length; k++) {
    const tok = t[k]!;
    if (tok.kind === 'punct') {
      if (tok.value in OPEN) depth++;
      else if (tok.value === ')' || tok.value === ']' || tok.value === '}') depth--;
      continue;
    }
    const prev = t[k - 1];
    // `x.export` or `x?.export` is a property, not a declaration.
    if (depth === 0 && tok.kind === 'name' && tok.value === 'export' && !(prev?.kind === 'punct' && prev.value === '.')) exportedBy(t, k + 1, out);
  }
  return { names: [...new Set(out.names)], reExportsAllFrom: [...new Set(out.reExportsAllFrom)] };
}
