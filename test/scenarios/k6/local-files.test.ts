import { describe, expect, it } from 'vitest';
import { collectScriptFiles, localReferences, type ReadResult, shippedFrom } from '../../../scenarios/k6/local-files.ts';

/** A reader over an in-memory tree. */
const reader = (tree: Record<string, string | Uint8Array>) => (path: string): ReadResult => {
  const v = tree[path];
  if (v === undefined) return { error: 'no such file' };
  return { bytes: typeof v === 'string' ? new TextEncoder().encode(v) : v };
};

describe('localReferences', () => {
  it('finds static imports, re-exports, bare imports, require and open calls with string literals', () => {
    const text = [
      "import http from 'k6/http';",
      "import { a } from './a.js';",
      'export * from "../b.js";',
      "import './side.js';",
      "const c = require('./c.js');",
      "const d = open('data/d.json');",
      "const e = open('./e.bin', 'b');",
      "import { x } from 'https://jslib.k6.io/x.js';",
      '',
    ].join('\n');
    const { refs, problems } = localReferences(text, 'team.js');
    expect(problems).toEqual([]);
    expect(refs.map((r) => [r.kind, r.specifier, r.line, r.binary])).toEqual([
      ['import', 'k6/http', 1, false], ['import', './a.js', 2, false], ['import', '../b.js', 3, false], ['import', './side.js', 4, false],
      ['require', './c.js', 5, false], ['open', 'data/d.json', 6, false], ['open', './e.bin', 7, true], ['import', 'https://jslib.k6.io/x.js', 8, false],
    ]);
    // Offsets cover the literal with its quotes.
    expect(text.slice(refs[1]!.start, refs[1]!.end)).toBe("'./a.js'");
  });

  it('ignores comments, strings, properties named open and definitions of an open', () => {
    const text = [
      "// import { a } from './commented.js'; open('./commented.json')",
      "/* open('./block.json') */",
      "const s = \"open('./in-a-string.json')\";",
      "const f = file.open('./method-call.json');",
      'class Store { open(name) { return name; } }',
      'function open2() {}',
      "const items = new SharedArray('x', function () { return JSON.parse(open('./real.json')); });",
      '',
    ].join('\n');
    const { refs, problems } = localReferences(text, 'team.js');
    expect(problems).toEqual([]);
    expect(refs.map((r) => r.specifier)).toEqual(['./real.json']);
  });

  it('refuses what cannot be named before the test runs, with file:line', () => {
    const text = [
      'const a = open(__ENV.FILE);',
      "const b = open('./data/' + name);",
      'const c = open(`./data/${n}.json`);',
      "const d = require(name);",
      "import('./lazy.js');",
      "const e = open('.\\\\x.json');",
      '',
    ].join('\n');
    const { refs, problems } = localReferences(text, 'team.js');
    expect(refs).toEqual([]);
    expect(problems.map((p) => p.where)).toEqual(['team.js:1', 'team.js:2', 'team.js:3', 'team.js:4', 'team.js:5', 'team.js:6']);
    expect(problems[0]!.message).toMatch(/^open\(\) with a path that is not a string literal cannot be followed/);
    expect(problems[4]!.message).toMatch(/dynamic import\(\)/);
    expect(problems[5]!.message).toMatch(/escape in its path/);
  });
});

describe('collectScriptFiles', () => {
  it('walks local modules transitively, keys files by their path from the script, and rewrites only literals naming other folders', () => {
    const main = "import { p } from './lib/p.js';\nimport { q } from './q.js';\nconst d = JSON.parse(open(\"./data/d.json\"));\nconst e = open('e.json');\nexport default function () {}\n";
    const p = "import { q } from '../q.js';\nimport { s } from '../../shared/s.js';\nexport const p = open('../data/d.json');\n";
    const tree = {
      '/t/main.js': main, '/t/lib/p.js': p, '/t/q.js': 'export const q = 1;\n', '/t/data/d.json': '{"d":1}', '/t/e.json': '[]',
      '/shared/s.js': 'export const s = open("./s.bin", "b");\n', '/shared/s.bin': new Uint8Array([0xff, 0x00, 0x01]),
    };
    const { files, problems } = collectScriptFiles('/t/main.js', reader(tree), { reserved: ['script.js'] });
    expect(problems).toEqual([]);
    expect(files.map((f) => [f.key, f.path, f.module])).toEqual([
      ['main.js', '/t/main.js', true], ['lib__p.js', '/t/lib/p.js', true], ['q.js', '/t/q.js', true], ['data__d.json', '/t/data/d.json', false],
      ['e.json', '/t/e.json', false], ['up__shared__s.js', '/shared/s.js', true], ['up__shared__s.bin', '/shared/s.bin', false],
    ]);
    const text = Object.fromEntries(files.map((f) => [f.key, f.text]));
    expect(text['main.js']).toBe(main.replace("'./lib/p.js'", "'./lib__p.js'").replace('"./data/d.json"', '"./data__d.json"'));
    expect(text['lib__p.js']).toBe("import { q } from './q.js';\nimport { s } from './up__shared__s.js';\nexport const p = open('./data__d.json');\n");
    expect(text['up__shared__s.js']).toBe('export const s = open("./up__shared__s.bin", "b");\n');
    // Opened as bytes: shipped as binaryData.
    const bin = files.find((f) => f.key === 'up__shared__s.bin')!;
    expect([bin.text, bin.base64]).toEqual([undefined, Buffer.from([0xff, 0, 1]).toString('base64')]);
    expect(shippedFrom('/t/main.js', files).map((f) => f.from)).toEqual(['main.js', 'lib/p.js', 'q.js', 'data/d.json', 'e.json', '../shared/s.js', '../shared/s.bin']);
  });

  it('keeps clear of reserved keys: a script named script.js ships as script-2.js, and what names it follows', () => {
    const tree = { '/t/script.js': "import { h } from './helper.js';\nexport default function () {}\n", '/t/helper.js': "import * as s from './script.js';\nexport const h = 1;\n" };
    const { files, problems } = collectScriptFiles('/t/script.js', reader(tree), { reserved: ['script.js'] });
    expect(problems).toEqual([]);
    expect(files.map((f) => f.key)).toEqual(['script-2.js', 'helper.js']);
    expect(files[1]!.text).toBe("import * as s from './script-2.js';\nexport const h = 1;\n");
  });

  it('lists every problem: missing files, absolute paths, bare specifiers, and the bounds', () => {
    const tree = { '/t/main.js': "import './gone.js';\nimport '/abs/x.js';\nimport 'lodash';\nconst a = open('/etc/hosts');\nconst b = open('./big.json');\n", '/t/big.json': 'x'.repeat(201) };
    const { problems } = collectScriptFiles('/t/main.js', reader(tree), { limits: { maxFiles: 10, maxFileBytes: 200 } });
    expect(problems.map((p) => [p.where, p.message])).toEqual([
      ['/t/main.js:1', 'cannot read /t/gone.js: no such file'],
      ['/t/main.js:2', 'imports the absolute path "/abs/x.js": it does not exist in the runner pods; import it by a relative path (./ or ../)'],
      ['/t/main.js:3', 'imports "lodash", neither a k6 module, an http(s) URL nor a relative path (./ or ../): caplab cannot ship it'],
      ['/t/main.js:4', 'open() of the absolute path "/etc/hosts": it does not exist in the runner pods; open it by a path relative to the script'],
      ['/t/main.js:5', '/t/big.json is 201 bytes, over the 200-byte limit of a file shipped in a ConfigMap'],
    ]);
    const many: Record<string, string> = { '/t/main.js': Array.from({ length: 5 }, (_, i) => `import './m${i}.js';`).join('\n') };
    for (let i = 0; i < 5; i++) many[`/t/m${i}.js`] = '';
    const bounded = collectScriptFiles('/t/main.js', reader(many), { limits: { maxFiles: 3, maxFileBytes: 100 } });
    expect(bounded.files).toHaveLength(3);
    expect(bounded.problems).toEqual([{ where: '/t/main.js:3', message: 'the script needs more than 3 local files; caplab ships at most 3 beside it' }]);
    expect(collectScriptFiles('/t/none.js', reader({})).problems).toEqual([{ where: '/t/none.js', message: 'cannot read /t/none.js: no such file' }]);
  });
});
