/**
 * Test helpers for third-party servers the tests start as real peers (Prometheus, nginx): a free loopback port,
 * polling until a server is ready, and stopping a child process for sure.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * A free loopback port: bind port 0, read it, release it. A server started on it afterwards can still lose a race
 * for it; callers that can retry do.
 * @returns the port number
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Polls every 250 ms until `check` resolves true (a rejection counts as not yet).
 * @param what what is awaited, for the message
 * @param ms how long to wait at most, ms
 * @param check the condition
 * @param log text appended to the timeout message (e.g. the server's log so far)
 * @throws {Error} after `ms` without the condition
 */
export async function waitFor(what: string, ms: number, check: () => Promise<boolean>, log: () => string = () => ''): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  const tail = log();
  throw new Error(`timed out after ${ms} ms waiting for ${what}${tail ? `\n${tail.slice(-3000)}` : ''}`);
}

/**
 * Stops a child with `signal`, then SIGKILL after `graceMs`, and waits for it to exit.
 * @param child the process (nothing happens when it has already exited)
 * @param signal the first signal (SIGTERM; nginx stops gracefully on SIGQUIT)
 * @param graceMs how long the child gets before SIGKILL
 */
export async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
