/**
 * Test helper: runs the real `caplab` binary (`node bin/caplab.js ...`) in a child process and collects its exit code
 * and output. Reused by every CLI test.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Absolute path of the `caplab` entry point. */
export const CAPLAB_BIN = join(REPO_ROOT, 'bin', 'caplab.js');

/** What a finished CLI run produced. */
export interface CliResult {
  /** Exit code (a signal-killed process reports 128 + 1, never 0). */
  code: number;
  /** Everything written to stdout (UTF-8). */
  stdout: string;
  /** Everything written to stderr (UTF-8). */
  stderr: string;
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /** Working directory of the child (default: the repository root). */
  cwd?: string;
  /** Text written to the child's stdin, which is then closed (default: stdin closed at once). */
  input?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/**
 * Runs `node bin/caplab.js ...args`. When `args` has no `--out-dir`, one pointing at a fresh temporary directory is
 * prepended (and that directory is removed after the run), so a test never writes `caplab-out/` into the repository.
 * Pass `--out-dir` yourself to inspect what the command wrote.
 * @param args command-line arguments after `caplab`
 * @param opts working directory and stdin text
 * @returns exit code, stdout and stderr
 * @example const { code, stdout } = await runCli(['--out-dir', dir, 'forecast', '--draws', '50'])
 */
export async function runCli(args: string[], opts: RunCliOptions = {}): Promise<CliResult> {
  const hasOutDir = args.some((a) => a === '--out-dir' || a.startsWith('--out-dir='));
  const scratch = hasOutDir ? undefined : tempDir('caplab-cli-');
  const argv = scratch === undefined ? args : ['--out-dir', scratch, ...args];
  try {
    return await new Promise<CliResult>((resolve, reject) => {
      const child = spawn(process.execPath, [CAPLAB_BIN, ...argv], {
        cwd: opts.cwd ?? REPO_ROOT,
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...opts.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', reject);
      child.on('close', (code, signal) => {
        resolve({
          code: code ?? (signal ? 129 : 1),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        });
      });
      child.stdin.on('error', () => {}); // the child may exit before reading its input
      child.stdin.end(opts.input ?? '');
    });
  } finally {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Creates a fresh directory under os.tmpdir(); the caller removes it (e.g. `afterAll(() => removeDir(dir))`).
 * @param prefix name prefix, e.g. `caplab-forecast-`
 * @returns the directory's absolute path
 */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Removes a directory made by {@link tempDir} and everything in it; missing directories are fine.
 * @param dir the directory
 */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
