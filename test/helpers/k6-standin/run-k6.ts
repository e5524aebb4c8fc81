/**
 * Runs the stand-in `k6` binary (installK6Standin's folder first on PATH) as a child process and collects its output.
 */
import { spawn } from 'node:child_process';
import type { CliResult } from '../cli.ts';

/**
 * Runs `k6 ...args` in `cwd` with the stand-in first on PATH.
 * @param args k6's arguments
 * @param cwd working directory (k6 writes its relative outputs there)
 * @param bin the folder installK6Standin returned
 * @param env extra environment variables
 * @returns exit code (129 when killed by a signal), stdout and stderr
 */
export function runK6(args: string[], cwd: string, bin: string, env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('k6', args, { cwd, env: { ...process.env, ...env, PATH: `${bin}:${process.env.PATH ?? ''}` }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 129 : 1), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}
