/**
 * Start-up benchmark (issue 23): wall time of the installed `caplab --version` (the compiled dist/cli/main.js, what the
 * package's bin runs) against `node -e 0` (node's own start-up) in the same run, alternating, BENCH_RUNS times each;
 * the medians, their difference and ratio are the figures. The development launcher (bin/caplab.js: tsx compiling the
 * sources) is measured alongside for comparison. Goal: median of `caplab --version` under 200 ms on a 2-core machine.
 * Builds dist/ first (`npm run build`) when it is missing or older than a source file.
 * Env: BENCH_RUNS (default 21).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from 'simple-statistics';

const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const root = fileURLToPath(new URL('..', import.meta.url));
const built = join(root, 'dist', 'cli', 'main.js');
const version = (JSON.parse((await import('node:fs')).readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

/** Newest modification time (ms) of the .ts/.js files under the compiled source folders. */
function newestSource(): number {
  let newest = 0;
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.[jt]s$/.test(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of ['cli', 'models', 'scenarios', 'stacks', 'reports', 'pipeline']) if (existsSync(join(root, d))) walk(join(root, d));
  return newest;
}

if (!existsSync(built) || statSync(built).mtimeMs < newestSource()) {
  console.log('building dist/ (npm run build) ...');
  const b = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) throw new Error(`npm run build exited with ${b.status ?? b.signal}`);
}

/** Runs `node ...args` once and returns its wall time in ms; checks the exit code and, when given, the output. */
function timed(args: string[], expect?: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0 || (expect !== undefined && r.stdout !== expect)) {
    throw new Error(`node ${args.join(' ')} exited with ${r.status ?? r.signal}: ${r.stdout}${r.stderr}`);
  }
  return ms;
}

const peers = {
  node: { label: 'node -e 0', args: ['-e', '0'], expect: undefined, ms: [] as number[] },
  caplab: { label: 'caplab --version (dist)', args: [built, '--version'], expect: `${version}\n`, ms: [] as number[] },
  dev: { label: 'bin/caplab.js --version (tsx)', args: [join(root, 'bin', 'caplab.js'), '--version'], expect: `${version}\n`, ms: [] as number[] },
};
for (const p of Object.values(peers)) timed(p.args, p.expect); // warm the file cache (and tsx's)
for (let i = 0; i < RUNS; i++) for (const p of Object.values(peers)) p.ms.push(timed(p.args, p.expect));

const med = (xs: number[]): number => median(xs);
const fmt = (x: number): string => `${x.toFixed(0)} ms`;
for (const p of Object.values(peers)) {
  const sorted = [...p.ms].sort((a, b) => a - b);
  console.log(`${p.label.padEnd(30)} median ${fmt(med(p.ms)).padStart(7)}  (min ${fmt(sorted[0]!)}, max ${fmt(sorted[sorted.length - 1]!)}, ${RUNS} runs)`);
}
const caplab = med(peers.caplab.ms);
const node = med(peers.node.ms);
console.log(`caplab --version over node -e 0: +${fmt(caplab - node)}, ratio ${(caplab / node).toFixed(2)}x`);
console.log(`goal: median under 200 ms: ${caplab < 200 ? 'met' : 'MISSED on this machine'} (${fmt(caplab)})`);
process.exitCode = caplab < 200 ? 0 : 1;
