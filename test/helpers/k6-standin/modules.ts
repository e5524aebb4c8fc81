/**
 * The module graph of a script the stand-in k6 binary runs: the entry script and every local module it imports
 * (`./x.js`, `../x.js`, `/abs/x.js`, `file://...`, transitively), each with its k6 imports pointed at the Node
 * stand-ins and its local imports at the rewritten copies. k6 gives every VU its own instance of every module, so
 * each VU gets its own directory holding a copy of the whole graph: module scope (counters, caches) is per VU, while
 * the stand-ins, imported by absolute path, stay one shared instance (they hold the run's recordings).
 * Each copy also binds `open` to its original directory (a module-scope `open` that calls the driver's reader with
 * it), so `open('./data.json')` in an imported module reads the file next to that module wherever the copy runs;
 * a module that declares or imports an `open` of its own keeps it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { standinModule } from '../../scenarios/k6/standins/runner.ts';

/** A module of the graph, rewritten. */
interface GraphModule {
  /** File name in a VU's directory. */
  name: string;
  /** Rewritten source. */
  text: string;
}

// Static `import ... from '...'`, `export ... from '...'` and bare `import '...'`: what k6 resolves at load time.
// (k6 scripts have no dynamic import(); a look-alike inside a string or comment is rewritten too, harmlessly.)
const SPECIFIER = /\b(import|export)(\s*[^'";]*?\bfrom)?\s*(['"])([^'"\n]+)\3/g;

// A module's file name in a VU's directory: numbered, so two lib.js in different folders do not collide; the base
// name helps read stack traces; .mjs, since k6 treats every module as ESM whatever its extension.
const fileName = (n: number, path: string): string => `m${n}-${basename(path).replace(/\.[cm]?js$/, '')}.mjs`;

/** The global the driver puts its reader at: `(dir, name, mode) => contents`, for each module's own `open`. */
export const OPEN_FROM = '__caplabStandinOpenFrom';

// A module binding `open` itself (a declaration, or an import such as k6/experimental/fs's) keeps its own.
const OWN_OPEN = /\b(?:function\s*\*?|const|let|var|class)\s+open\b|\bimport\s*\{[^}]*\bopen\b[^}]*\}/;

/** The module-scope `open` of a module from `dir`, on the module's first line (line numbers stay as they are). */
function openPrelude(dir: string): string {
  return `const open = (name, mode) => globalThis.${OPEN_FROM}(${JSON.stringify(dir)}, name, mode); `;
}

/**
 * The file a local specifier names, or undefined when it is not local (a k6 module or a remote URL).
 * @param spec import specifier
 * @param fromDir directory of the importing module (k6 resolves relative imports against it)
 * @returns absolute path
 */
function localPath(spec: string, fromDir: string): string | undefined {
  if (spec.startsWith('./') || spec.startsWith('../')) return resolve(fromDir, spec);
  if (spec.startsWith('file://')) return fileURLToPath(spec);
  if (isAbsolute(spec)) return spec;
  return undefined;
}

/**
 * Reads the entry script and the local modules it imports, and rewrites their imports.
 * @param entryPath the script k6 was given (absolute)
 * @returns the modules, entry first
 * @throws {Error} naming the importer, for a local module that does not exist or a module with no stand-in
 *   (k6/crypto, remote https:// modules: k6 would fetch or provide them, the stand-in cannot)
 */
function readGraph(entryPath: string): GraphModule[] {
  const names = new Map<string, string>([[entryPath, fileName(0, entryPath)]]);
  const queue = [entryPath];
  const out: GraphModule[] = [];
  for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
    const source = readFileSync(path, 'utf8');
    const text = source.replace(SPECIFIER, (all, kind: string, clause: string | undefined, _q: string, spec: string) => {
      const standin = standinModule(spec);
      let target: string;
      if (standin !== undefined) target = standin;
      else {
        const file = localPath(spec, dirname(path));
        if (file === undefined) throw new Error(`${path}: no stand-in for module "${spec}"`);
        if (!existsSync(file)) throw new Error(`${path}: the module "${spec}" couldn't be found on local disk (${file})`);
        let name = names.get(file);
        if (name === undefined) {
          names.set(file, (name = fileName(names.size, file)));
          queue.push(file);
        }
        target = `./${name}`;
      }
      return `${kind}${clause ?? ''} ${JSON.stringify(target)}`;
    });
    out.push({ name: names.get(path)!, text: OWN_OPEN.test(text) ? text : openPrelude(dirname(path)) + text });
  }
  return out;
}

/** The graph, ready to be instantiated per VU. */
export interface ScriptGraph {
  /**
   * The entry module's URL in a VU's own copy of the graph, written on first use.
   * @param vu test-wide VU id (0: the init context k6 reads options, setup and handleSummary from)
   * @returns a file URL to import()
   */
  entryUrl(vu: number): string;
}

/**
 * Loads a script's module graph (see the module comment).
 * @param entryPath the script k6 was given
 * @param dir an empty scratch directory the per-VU copies go into (the caller removes it)
 * @returns the graph
 * @throws {Error} as {@link readGraph}
 */
export function loadGraph(entryPath: string, dir: string): ScriptGraph {
  const modules = readGraph(resolve(entryPath));
  return {
    entryUrl(vu) {
      const vuDir = join(dir, `vu-${vu}`);
      if (!existsSync(vuDir)) {
        mkdirSync(vuDir);
        for (const m of modules) writeFileSync(join(vuDir, m.name), m.text);
      }
      return pathToFileURL(join(vuDir, modules[0]!.name)).href;
    },
  };
}
