/**
 * Test helper: a module's exports and its `export const` initializers read with the TypeScript compiler API, the
 * reference the exports scanner (scenarios/k6/script-exports.ts) and the wrapper tests are checked against.
 */
import ts from 'typescript';
import type { ScriptExports } from '../../../scenarios/k6/script-exports.ts';

function parse(text: string, file: string): ts.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);
}

function bindingNames(name: ts.BindingName, out: string[]): void {
  if (ts.isIdentifier(name)) out.push(name.text);
  else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bindingNames(el.name, out);
}

const exported = (n: ts.Node): boolean => ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
const isDefault = (n: ts.Node): boolean => ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
const declared = (n: ts.Node): boolean => ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.DeclareKeyword);

/**
 * Exports of a module as the TypeScript parser sees them, in the scanner's shape (runtime values only).
 * @param text module text
 * @param file file name (`.ts` parses TypeScript)
 * @returns names in source order and the modules re-exported whole
 */
export function tsExports(text: string, file = 'script.js'): ScriptExports {
  const names: string[] = [];
  const star: string[] = [];
  for (const st of parse(text, file).statements) {
    if (ts.isExportAssignment(st)) names.push('default');
    else if (ts.isExportDeclaration(st)) {
      if (st.isTypeOnly) continue;
      const from = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : '';
      if (st.exportClause === undefined) star.push(from);
      else if (ts.isNamespaceExport(st.exportClause)) names.push(st.exportClause.name.text);
      else for (const el of st.exportClause.elements) if (!el.isTypeOnly) names.push(el.name.text);
    } else if (exported(st) && !declared(st)) {
      if (isDefault(st)) names.push('default');
      else if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) bindingNames(d.name, names);
      else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isEnumDeclaration(st) || ts.isModuleDeclaration(st)) && st.name) {
        names.push(st.name.text);
      }
    }
  }
  return { names: [...new Set(names)], reExportsAllFrom: [...new Set(star)] };
}

/**
 * The initializer of `export const <name> = <JSON literal>` parsed as JSON (the wrapper writes its options that way).
 * @param text module text
 * @param name exported constant
 * @returns the value
 * @throws {Error} when there is no such export or its initializer is not JSON
 */
export function exportedConstJson(text: string, name: string): unknown {
  for (const st of parse(text, 'wrapper.js').statements) {
    if (!ts.isVariableStatement(st) || !exported(st)) continue;
    for (const d of st.declarationList.declarations) {
      if (ts.isIdentifier(d.name) && d.name.text === name && d.initializer) return JSON.parse(d.initializer.getText());
    }
  }
  throw new Error(`no export const ${name}`);
}

/**
 * The initializer of a top-level `const <name> = <JSON literal>`, exported or not, parsed as JSON (the wrapper writes
 * caplab's options that way, then exports their merge with the script's).
 * @param text module text
 * @param name the constant
 * @returns the value
 * @throws {Error} when there is no such constant or its initializer is not JSON
 */
export function constJson(text: string, name: string): unknown {
  for (const st of parse(text, 'wrapper.js').statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      if (ts.isIdentifier(d.name) && d.name.text === name && d.initializer) return JSON.parse(d.initializer.getText());
    }
  }
  throw new Error(`no const ${name}`);
}

/**
 * Specifiers of a module's static imports, in order.
 * @param text module text
 * @returns e.g. ['k6/execution', './team-script.js']
 */
export function importSpecifiers(text: string): string[] {
  return parse(text, 'wrapper.js').statements.filter(ts.isImportDeclaration)
    .map((st) => (st.moduleSpecifier as ts.StringLiteral).text);
}
