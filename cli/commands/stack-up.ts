/**
 * `caplab stack up`: starts the built-in regional stacks (one HTTP server per data center on 127.0.0.1, each with
 * its SQLite file and N emulated nodes), prints each data center's URL, writes <out-dir>/stacks.json, and serves until
 * SIGINT or SIGTERM, then finishes in-flight requests and closes the databases. For a server a signal is the normal
 * way to stop, so a clean stop exits 0.
 */
import { join } from 'node:path';
import { DCS, type StacksFile } from '../../stacks/api.ts';
import { startStacks } from '../../stacks/start.ts';
import type { CommandRun } from '../context.ts';
import { EXIT, InputError } from '../errors.ts';
import { writeFileAtomic } from '../io.ts';
import { STACKS } from '../../pipeline/layout.ts';

/** Options of `caplab stack up` as commander parses them (strings, validated here so every problem is listed). */
export interface StackUpOptions {
  /** Comma-separated data centers. */
  dcs?: string;
  /** Emulated nodes per data center. */
  nodes?: string;
  /** Port of the first data center (0 = any free port for each). */
  port?: string;
  /** Directory of the SQLite files (default `<out-dir>/stacks-data`). */
  dataDir?: string;
  /** False with `--no-wan`. */
  wan?: boolean;
}

/**
 * Validates the options of `caplab stack up`.
 * @param opts raw options
 * @returns data centers, nodes and port
 * @throws {InputError} listing every bad option
 */
export function parseStackUpOptions(opts: StackUpOptions): { dcs: string[]; nodes: number; port: number } {
  const problems: string[] = [];
  const dcs = (opts.dcs ?? DCS.join(',')).split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = dcs.filter((d) => !(DCS as readonly string[]).includes(d));
  if (dcs.length === 0) problems.push('--dcs: no data center given');
  if (unknown.length > 0) problems.push(`--dcs: unknown data center ${unknown.map((u) => `"${u}"`).join(', ')} (known: ${DCS.join(', ')})`);
  if (new Set(dcs).size !== dcs.length) problems.push('--dcs: a data center is listed twice');
  const nodes = Number(opts.nodes ?? '1');
  if (!/^\d+$/.test(opts.nodes ?? '1') || nodes < 1 || nodes > 256) problems.push(`--nodes: "${opts.nodes}" is not an integer from 1 to 256`);
  const port = Number(opts.port ?? '0');
  if (!/^\d+$/.test(opts.port ?? '0') || port > 65535) problems.push(`--port: "${opts.port}" is not a port from 0 to 65535`);
  else if (port > 0 && port + dcs.length - 1 > 65535) problems.push(`--port: ports ${port}..${port + dcs.length - 1} go past 65535`);
  if (problems.length > 0) throw new InputError(problems.join('\n  '));
  return { dcs, nodes, port };
}

/** Runs `caplab stack up`. */
export const run: CommandRun<StackUpOptions> = async ({ opts, global }) => {
  const { dcs, nodes, port } = parseStackUpOptions(opts);
  const dataDir = opts.dataDir ?? join(global.outDir, 'stacks-data');
  const wan = opts.wan !== false;
  let stacks;
  try {
    stacks = await startStacks({
      dataDir, dcs, nodes, port, wan, seed: global.seed,
      onError: (err) => process.stderr.write(`caplab stack: unexpected error answered 500: ${global.verbose && err instanceof Error ? err.stack : String(err)}\n`),
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') throw new InputError(`--port ${port}: cannot listen (${code})`);
    throw err;
  }
  const stop = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  try {
    const file: StacksFile = { schema: 'caplab.stacks/v1', urls: stacks.urls, nodes, wan, dataDir };
    await writeFileAtomic(join(global.outDir, STACKS), `${JSON.stringify(file, null, 2)}\n`);
    for (const dc of dcs) process.stdout.write(`${dc}\t${stacks.urls[dc]}\n`);
    if (!global.quiet) process.stderr.write(`stacks up (${nodes} node${nodes === 1 ? '' : 's'} per data center, WAN ${wan ? 'on' : 'off'}); Ctrl-C to stop\n`);
    await stop;
    if (!global.quiet) process.stderr.write('stopping: finishing in-flight requests\n');
  } finally {
    await stacks.stop();
  }
  return EXIT.ok;
};
