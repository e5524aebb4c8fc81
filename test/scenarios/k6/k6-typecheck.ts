/**
 * Test helper: type-checks JavaScript files against @types/k6 with tsc (checkJs, strict), as a k6 user's editor
 * would, and returns the errors per line. Shared by the generated-script and wrapper tests.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../helpers/cli.ts';

const run = promisify(execFile);

/**
 * Writes a tsconfig.json into `dir` for `files` and runs tsc on it.
 * @param dir directory holding the files (the tsconfig is written there)
 * @param files file names relative to `dir`
 * @returns tsc's `error TS` lines (each starts with the file name)
 */
export async function k6TypeErrors(dir: string, files: string[]): Promise<string[]> {
  const types = join(REPO_ROOT, 'node_modules', '@types');
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2020', module: 'ES2020', moduleResolution: 'node', lib: ['ES2020'], allowJs: true, checkJs: true, strict: true, noEmit: true,
      typeRoots: [types], types: ['k6'], baseUrl: '.', paths: { k6: [join(types, 'k6', 'index.d.ts')], 'k6/*': [join(types, 'k6', '*')] },
    },
    files,
  }));
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const out = await run(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], { cwd: dir })
    .then((r) => r.stdout, (e: { stdout: string }) => e.stdout);
  return out.split('\n').filter((l) => /error TS/.test(l));
}
