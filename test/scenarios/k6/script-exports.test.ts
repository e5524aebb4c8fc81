import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../models/errors.ts';
import { RUNTIME_JS } from '../../../scenarios/k6/runtime-js.ts';
import { scriptExports } from '../../../scenarios/k6/script-exports.ts';
import { buildK6Script } from '../../../scenarios/k6/script.ts';
import { TEXT_SUMMARY_JS } from '../../../scenarios/k6/summary-js.ts';
import { buildK6Wrapper } from '../../../scenarios/k6/wrapper.ts';
import { parseScenarioSpec } from '../../../scenarios/spec.ts';
import { REPO_ROOT } from '../../helpers/cli.ts';
import { DESIGN_SPEC } from '../design-spec.ts';
import { tsExports } from './ts-exports.ts';

const TEAM = readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'k6', 'team-script.js'), 'utf8');

/** Modules written to trip a scanner: exports hidden in comments, strings, templates and regexes, and every export form. */
const TRICKY: Record<string, string> = {
  'hidden.js': [
    '// export function inComment() {}',
    '/* export const inBlock = 1; */',
    "const s = 'export function inString() {}';",
    'const t = `export ${"x" + `nested ${1 + 2} export const deep = 1`} ${{ a: 1 }.a} export function inTemplate() {}`;',
    "const r = /export function inRegex\\(\\) {'\"`/g;",
    'const cls = /[/]export const inClass = 1/;',
    'const d = 4 / 2 / 1; const e = (1) / 2;',
    'const o = { export: 1, default: 2 }; o.export;',
    'function f() { return /}/.test("}"); }',
    'export function real() {}',
  ].join('\n'),
  'forms.js': [
    'export default function () {}',
    'export async function asyncFn() {}',
    'export function* gen() {}',
    'export class Klass {}',
    'export var v1 = 1, v2 = [1, 2], v3 = { a: 1, b: (2, 3) };',
    'export let { a, b: bee, c = 3, ...rest } = { a: 1, b: 2 }, [first, , third = 1, ...others] = [];',
    'export const fn = () => { return { x: 1 }; }',
    'export const noSemi = 1',
    'export function afterNoSemi() {}',
    "const local = 1; export { local as renamed, local as 'quoted name' };",
    "export { x as y } from './other.js';",
    "export * from './all.js';",
    "export * as ns from './ns.js';",
  ].join('\n'),
  'typescript.ts': [
    "import type { Options } from 'k6/options';",
    'export const options: Options = { vus: 1 };',
    'export type Data = { token: string };',
    'export interface Shape { a: number }',
    'export declare const ambient: number;',
    'export enum Kind { A, B }',
    'export abstract class Base {}',
    'export default function (data: Data): void {}',
    'export function checkout(data: Data) { return data.token; }',
  ].join('\n'),
};

describe('scriptExports', () => {
  it('reads the team fixture as the TypeScript parser does', () => {
    expect(scriptExports(TEAM, 'team-script.js')).toEqual({ names: ['options', 'setup', 'checkout', 'browse', 'default', 'teardown', 'handleSummary'], reExportsAllFrom: [] });
    expect(scriptExports(TEAM, 'team-script.js')).toEqual(tsExports(TEAM));
  });

  it('agrees with the TypeScript parser on caplab\'s own generated scripts and wrappers (regexes, templates, JSDoc)', () => {
    const design = parseScenarioSpec(structuredClone(DESIGN_SPEC), 'design.json');
    const generated = buildK6Script(design, { seed: 1, usersFile: 'users.ndjson' });
    const wrapper = buildK6Wrapper({ script: './team.js', seed: 1, options: design.options, services: [{ name: 'default', exec: 'default', weight: 1 }, { name: 'ota', exec: 'ota', weight: 1 }] });
    for (const text of [generated, wrapper, RUNTIME_JS, TEXT_SUMMARY_JS]) expect(scriptExports(text, 'gen.js')).toEqual(tsExports(text));
    expect(scriptExports(generated, 'gen.js').names).toEqual(['options', 'default', 'flow_ota', 'flow_mixed', 'handleSummary']);
  });

  it('agrees with the TypeScript parser on modules written to trip it', () => {
    for (const [file, text] of Object.entries(TRICKY)) expect(scriptExports(text, file), file).toEqual(tsExports(text, file));
    expect(scriptExports(TRICKY['hidden.js']!, 'hidden.js').names).toEqual(['real']);
    expect(scriptExports(TRICKY['forms.js']!, 'forms.js')).toEqual({
      names: ['default', 'asyncFn', 'gen', 'Klass', 'v1', 'v2', 'v3', 'a', 'bee', 'c', 'rest', 'first', 'third', 'others', 'fn', 'noSemi', 'afterNoSemi', 'renamed', 'quoted name', 'y', 'ns'],
      reExportsAllFrom: ['./all.js'],
    });
    expect(scriptExports(TRICKY['typescript.ts']!, 'checkout.ts').names).toEqual(['options', 'Kind', 'Base', 'default', 'checkout']);
  });

  it('refuses text k6 could not run, naming the line', () => {
    const cases: [string, string][] = [
      ['export const a = 1;\nconst s = "open', 'team.js:2'],
      ['export const a = 1;\n\n/* never closed', 'team.js:3'],
      ['const t = `a ${b}', 'team.js:1'],
      ['const r = /abc\n', 'team.js:1'],
    ];
    for (const [text, where] of cases) {
      try {
        scriptExports(text, 'team.js');
        expect.unreachable(text);
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError);
        expect((err as ValidationError).problems.map((p) => p.where)).toEqual([where]);
      }
    }
  });
});
