/**
 * Where caplab's own files are, and how to start caplab again, the same whether this code runs from the TypeScript
 * sources (a checkout: tsx, vitest) or compiled (dist/, the installed package). Code that finds a package file
 * (package.json, data/) or re-runs caplab (the campaign's children) asks here instead of counting `../` from its own
 * module, which differs between cli/x.ts and dist/cli/x.js. Kept free of dependencies: cli/main.ts loads it at start.
 */
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** True when this module is the TypeScript source (run by tsx or vitest), false when it is the compiled dist/ copy. */
export const FROM_SOURCES = import.meta.url.endsWith('.ts');

/**
 * The package's root directory, with a trailing separator: the nearest directory above this module holding a
 * package.json (the checkout, or node_modules/caplab when installed; dist/ has none of its own).
 */
export const PACKAGE_ROOT: string = (() => {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir.endsWith(sep) ? dir : dir + sep;
    if (dirname(dir) === dir) throw new Error(`caplab: no package.json in or above ${start}`);
  }
})();

/**
 * The command line that runs caplab again in the same form as this process: from the sources, bin/caplab.js (which
 * registers tsx and runs cli/main.ts, so a child never runs a stale dist/); compiled, dist/cli/main.js with plain node.
 * @param args arguments after `caplab`
 * @returns the executable (this node) and its arguments
 */
export function selfCommand(args: readonly string[]): { command: string; args: string[] } {
  const entry = FROM_SOURCES ? join(PACKAGE_ROOT, 'bin', 'caplab.js') : fileURLToPath(new URL('./main.js', import.meta.url));
  return { command: process.execPath, args: [entry, ...args] };
}
