/**
 * `caplab users`: derive the population of a quarter from the forecast, write <out-dir>/population.json, and stream
 * the synthetic users (or one shard of them, or those routed to one DC) as NDJSON to a file (atomically) or stdout,
 * with backpressure. Each user's `dc` comes from routing its country under the placement.
 */
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { shardRange } from '../../models/population/shard.ts';
import { userStream } from '../../models/population/stream.ts';
import { createUserGenerator, MAX_USERS } from '../../models/population/user.ts';
import { dcByCountry as dcByCountryOf, routeCountries } from '../../models/routing/route.ts';
import { POPULATION } from '../../pipeline/layout.ts';
import type { CommandRun } from '../context.ts';
import { computePopulation } from '../chain.ts';
import { EXIT, InputError, InterruptedError } from '../errors.ts';
import { openAtomicStream, writeFileAtomic } from '../io.ts';
import { startProgress } from '../progress.ts';
import { loadPlacement, loadRoutingData } from '../inputs/routing.ts';

/** Options of `caplab users` as commander parses them. */
export interface UsersOptions {
  count: number;
  shard?: { index: number; count: number };
  file?: string;
  quarter?: string;
  forecast?: string;
  placement: string;
  dc?: string;
}

/** Runs `caplab users`. */
export const run: CommandRun<UsersOptions> = async ({ opts, global }) => {
  if (opts.count > MAX_USERS) throw new InputError(`--count ${opts.count} is too large: at most ${MAX_USERS} users (2^32) per seed`);
  const population = await computePopulation(opts, global.seed);
  await writeFileAtomic(join(global.outDir, POPULATION), `${JSON.stringify(population, null, 2)}\n`);
  const range = opts.shard ? shardRange(opts.count, opts.shard.index, opts.shard.count) : { start: 0, end: opts.count };
  const { rtt, residency } = loadRoutingData();
  const routing = routeCountries(await loadPlacement(opts.placement), population.countries.map((c) => c.code), rtt, residency);
  const dcByCountry = dcByCountryOf(routing);
  const gen = createUserGenerator(global.seed, population, { dcByCountry });
  let filter: ((i: number) => boolean) | undefined;
  if (opts.dc !== undefined) {
    const dc = opts.dc;
    if (!routing.dcs.includes(dc)) throw new InputError(`--dc ${dc} is not a data center of placement ${routing.placement} (${routing.dcs.join(', ')})`);
    const served = population.countries.map((c) => dcByCountry[c.code] === dc);
    filter = (i) => served[gen.countryIndex(i)]!;
  }
  const progress = startProgress('users', range.end - range.start, global.quiet);
  const source = userStream(gen, range, { onProgress: (done) => progress.update(done), filter });
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (opts.file) {
      const out = await openAtomicStream(opts.file);
      try {
        await pipeline(source, out.stream, { signal: abort.signal });
        await out.commit();
      } catch (err) {
        await out.abort();
        throw err;
      }
    } else {
      await pipeline(source, process.stdout, { signal: abort.signal, end: false });
    }
  } catch (err) {
    if (abort.signal.aborted) throw new InterruptedError('interrupted: no users file was written');
    // A closed pipe (`caplab users | head`) is the reader's choice, not a failure.
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') return EXIT.ok;
    throw err;
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (opts.file && !global.quiet) process.stderr.write(`wrote users ${range.start}..${range.end - 1}${opts.dc ? ` routed to ${opts.dc}` : ''} to ${opts.file}\n`);
  return EXIT.ok;
};
