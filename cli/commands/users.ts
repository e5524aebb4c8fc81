/**
 * `caplab users`: derive the population of a quarter from the forecast, write <out-dir>/population.json, and stream
 * the synthetic users (or one shard of them) as NDJSON to a file (atomically) or stdout, with backpressure.
 */
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ForecastFileSchema } from '../../models/growth/forecast-file.ts';
import { RegionsSchema } from '../../models/growth/settings.ts';
import { buildPopulation } from '../../models/population/population.ts';
import { DevicesSchema, UsageSchema } from '../../models/population/settings.ts';
import { shardRange } from '../../models/population/shard.ts';
import { userStream } from '../../models/population/stream.ts';
import { createUserGenerator, MAX_USERS } from '../../models/population/user.ts';
import type { Forecast, Population } from '../../models/types.ts';
import { parseWith } from '../../models/validation.ts';
import type { CommandRun } from '../context.ts';
import { loadData, loadDefaults } from '../data.ts';
import { EXIT, InputError, InterruptedError } from '../errors.ts';
import { openAtomicStream, parseJsonInput, readTextInput, writeFileAtomic } from '../io.ts';
import { startProgress } from '../progress.ts';
import { computeForecast } from './forecast.ts';

/** Options of `caplab users` as commander parses them. */
export interface UsersOptions {
  count: number;
  shard?: { index: number; count: number };
  file?: string;
  quarter?: string;
  forecast?: string;
}

/**
 * Builds the population of a quarter from a forecast file or a freshly computed forecast.
 * @param opts quarter and forecast file
 * @param seed seed
 * @returns the population
 * @throws {InputError} when the forecast file cannot be read or parsed
 * @throws {ValidationError} when the forecast file, data files or quarter are invalid
 */
export async function computePopulation(opts: Pick<UsersOptions, 'quarter' | 'forecast'>, seed: number): Promise<Population> {
  let forecast: Forecast;
  if (opts.forecast) {
    const value = parseJsonInput(await readTextInput(opts.forecast, 'forecast file'), opts.forecast);
    forecast = parseWith(ForecastFileSchema, value, opts.forecast);
  } else {
    forecast = await computeForecast({}, seed);
  }
  return buildPopulation({
    forecast,
    quarter: opts.quarter ?? loadDefaults().users.quarter,
    devices: loadData('devices.json', DevicesSchema),
    regions: loadData('regions.json', RegionsSchema),
    usage: loadData('usage.json', UsageSchema),
    seed,
  });
}

/** Runs `caplab users`. */
export const run: CommandRun<UsersOptions> = async ({ opts, global }) => {
  if (opts.count > MAX_USERS) throw new InputError(`--count ${opts.count} is too large: at most ${MAX_USERS} users (2^32) per seed`);
  const population = await computePopulation(opts, global.seed);
  await writeFileAtomic(join(global.outDir, 'population.json'), `${JSON.stringify(population, null, 2)}\n`);
  const range = opts.shard ? shardRange(opts.count, opts.shard.index, opts.shard.count) : { start: 0, end: opts.count };
  const gen = createUserGenerator(global.seed, population);
  const progress = startProgress('users', range.end - range.start, global.quiet);
  const source = userStream(gen, range, { onProgress: (done) => progress.update(done) });
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
  if (opts.file && !global.quiet) process.stderr.write(`wrote ${range.end - range.start} users to ${opts.file}\n`);
  return EXIT.ok;
};
