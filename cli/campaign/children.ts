/**
 * Runs caplab subcommands (`caplab run ...`, `caplab report ...`) as child processes for the campaign: the load
 * generator gets its own process so it never competes with the stacks' virtual-time emulation on one event loop,
 * and an interrupt reaches every child (each writes its outputs and exits 105), so none is left behind. A failed
 * child fails the campaign with the child's own exit code, so a runner failure (107) is never reported as bad input.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { CliError, EXIT } from '../errors.ts';
import { selfCommand } from '../self.ts';

/** The outcome of one child. */
export interface ChildResult {
  /** Exit code (128 + n when killed by a signal). */
  code: number;
  /** Its stdout. */
  stdout: string;
  /** Its stderr. */
  stderr: string;
}

/** Tracks running children so an interrupt can stop them all. */
export interface Children {
  /**
   * Runs `caplab <args>` and resolves when it exits.
   * @param args arguments after `caplab`
   * @param cwd working directory (default: this process's)
   * @returns exit code and output
   */
  run(args: string[], cwd?: string): Promise<ChildResult>;
  /** Sends SIGINT to every running child (they stop gracefully and write their outputs). */
  interrupt(): void;
  /** Number of running children. */
  readonly running: number;
}

/**
 * Creates a child tracker.
 * @returns the tracker
 */
export function createChildren(): Children {
  const live = new Set<ChildProcess>();
  return {
    run(args, cwd) {
      return new Promise((resolvePromise, reject) => {
        const self = selfCommand(args);
        const child = spawn(self.command, self.args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' }, ...(cwd ? { cwd } : {}) });
        live.add(child);
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (b: Buffer) => out.push(b));
        child.stderr.on('data', (b: Buffer) => err.push(b));
        child.on('error', (e) => {
          live.delete(child);
          reject(e);
        });
        child.on('close', (code, signal) => {
          live.delete(child);
          resolvePromise({
            code: code ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : 2),
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: Buffer.concat(err).toString('utf8'),
          });
        });
      });
    },
    interrupt() {
      for (const c of live) c.kill('SIGINT');
    },
    get running() {
      return live.size;
    },
  };
}

/** Exit codes a caplab child ends with that keep their meaning for the campaign (internal, 104, 105, 107). */
const CAPLAB_CODES: ReadonlySet<number> = new Set([EXIT.internal, EXIT.invalidInput, EXIT.interrupted, EXIT.scriptOrOutput]);

/**
 * The campaign's error for a child that failed: its exit code when it is one of caplab's (a runner failure is 107,
 * bad input 104, an internal bug 1), else 107 (the child itself died, e.g. killed by a signal), with the last lines
 * of its stderr, where it said why.
 * @param what what the child did, e.g. "probe of singapore"
 * @param r the child's result
 * @returns the error to throw
 * @example throw childFailure('probe of singapore', r)
 */
export function childFailure(what: string, r: ChildResult): CliError {
  const code = CAPLAB_CODES.has(r.code) ? r.code : EXIT.scriptOrOutput;
  const said = r.stderr.trim().split('\n').map((l) => l.replace(/^caplab: /, '').trim()).filter((l) => l !== '').slice(-3).join(' | ');
  return new CliError(`${what} failed (exit ${r.code}): ${said || 'no message'}`, code);
}
