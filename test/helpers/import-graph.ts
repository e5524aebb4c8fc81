/**
 * The repository's import graph and the house rules it must keep, for test/layers.test.ts: layers flow
 * models -> scenarios -> reports -> pipeline -> cli; stacks talk to the load side over HTTP only; no circle; no command
 * imports another command. Imports are read with TypeScript's own pre-processor (static, re-exports, type-only and
 * dynamic `import()`), so a type-only import counts: a circle of types is still a circle a reader has to untangle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** A module's repository-relative path (forward slashes) -> the repository modules it imports. */
export type ImportGraph = Map<string, string[]>;

/** The source layers, lowest first: a module may import its own layer and the ones before it. */
export const LAYERS = ['models', 'scenarios', 'reports', 'pipeline', 'cli'] as const;

/** Folders whose modules are checked. */
export const SOURCE_DIRS = [...LAYERS, 'stacks'] as const;

/** What stacks may import: the built-in services share the models' data schemas, never the load side. */
const STACKS_MAY_IMPORT = new Set<string>(['models', 'stacks']);

const SOURCE_EXT = /\.(ts|js|mjs)$/;

/**
 * Reads every source module under `dirs` of `root` and resolves its relative imports.
 * @param root repository root (absolute)
 * @param dirs top-level folders to read
 * @returns the graph; imports of packages (`zod`, `node:fs`) are left out
 */
export function readImportGraph(root: string, dirs: readonly string[] = SOURCE_DIRS): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const dir of dirs) {
    for (const file of walk(join(root, dir))) {
      const from = toRepoPath(root, file);
      const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
      const targets = info.importedFiles
        .map((f) => f.fileName)
        .filter((spec) => spec.startsWith('./') || spec.startsWith('../'))
        .map((spec) => toRepoPath(root, resolve(dirname(file), spec)));
      graph.set(from, [...new Set(targets)].sort());
    }
  }
  return graph;
}

function walk(dir: string): string[] {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return walk(p);
    return SOURCE_EXT.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function toRepoPath(root: string, file: string): string {
  return relative(root, file).split(sep).join('/');
}

/** The top-level folder of a repository path (`cli/commands/run.ts` -> `cli`). */
function topOf(path: string): string {
  return path.split('/', 1)[0]!;
}

/**
 * Every circle in the graph: each strongly connected component of more than one module, and each module that imports
 * itself (Tarjan's algorithm, iterative so a long chain cannot overflow the stack).
 * @param graph the import graph
 * @returns circles, each as its modules sorted, in a stable order
 */
export function findCircles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const circles: string[][] = [];
  let next = 0;
  for (const start of [...graph.keys()].sort()) {
    if (index.has(start)) continue;
    const work: { node: string; edge: number }[] = [{ node: start, edge: 0 }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const edges = (graph.get(top.node) ?? []).filter((t) => graph.has(t));
      if (top.edge < edges.length) {
        const to = edges[top.edge++]!;
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) {
          low.set(top.node, Math.min(low.get(top.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]!.node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === index.get(top.node)) {
        const component: string[] = [];
        let m: string;
        do {
          m = stack.pop()!;
          onStack.delete(m);
          component.push(m);
        } while (m !== top.node);
        const selfLoop = component.length === 1 && (graph.get(top.node) ?? []).includes(top.node);
        if (component.length > 1 || selfLoop) circles.push(component.sort());
      }
    }
  }
  return circles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/**
 * Imports against the house rules, one readable line each: a layer importing a later layer, stacks importing anything
 * but models, a layer importing stacks (only cli starts stacks), and a command importing another command.
 * @param graph the import graph
 * @returns the violations, sorted
 */
export function ruleViolations(graph: ImportGraph): string[] {
  const rank = new Map<string, number>(LAYERS.map((l, i) => [l, i]));
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const fromTop = topOf(from);
    for (const to of targets) {
      const toTop = topOf(to);
      if (fromTop === 'stacks') {
        if (!STACKS_MAY_IMPORT.has(toTop)) out.push(`${from} imports ${to}: stacks may import models only (they talk to the load side over HTTP)`);
        continue;
      }
      if (toTop === 'stacks') {
        if (fromTop !== 'cli') out.push(`${from} imports ${to}: only cli starts the stacks`);
        continue;
      }
      const a = rank.get(fromTop);
      const b = rank.get(toTop);
      if (a !== undefined && b !== undefined && b > a) out.push(`${from} imports ${to}: ${fromTop} comes before ${toTop} (${LAYERS.join(' -> ')})`);
      if (from.startsWith('cli/commands/') && to.startsWith('cli/commands/') && from !== to) {
        out.push(`${from} imports ${to}: a command never imports another command (move what they share to pipeline/ or cli/inputs/)`);
      }
    }
  }
  return out.sort();
}
