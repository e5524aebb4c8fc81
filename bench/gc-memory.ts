/**
 * What the memory benchmarks share: they need --expose-gc (a benchmark re-runs itself with it), and they read the
 * process's memory after full collections, so only what is still held counts.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Re-runs the benchmark at `moduleUrl` with --expose-gc when the collector is not exposed, and exits with its status.
 * @param moduleUrl the benchmark's `import.meta.url`
 */
export function ensureExposedGc(moduleUrl: string): void {
  if (typeof globalThis.gc === 'function') return;
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(moduleUrl)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

/**
 * Memory held now, after three full collections.
 * @returns bytes on the JS heap plus external and array buffers, and the resident set size
 * @throws {TypeError} when --expose-gc is missing (call {@link ensureExposedGc} first)
 */
export function usedMemory(): { js: number; rss: number } {
  for (let i = 0; i < 3; i++) globalThis.gc!();
  const m = process.memoryUsage();
  return { js: m.heapUsed + m.external + m.arrayBuffers, rss: m.rss };
}
