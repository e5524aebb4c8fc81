/**
 * `caplab traffic`: route countries to data centers for a placement, turn the forecast's active devices into requests
 * per second per DC, quarter and service, print the tables and the RTT effect of the move from Beijing, and write
 * <out-dir>/traffic.json (or print it with --json and write nothing). Demand per service is what the service catalog
 * states (`--catalog`, default data/catalog.json), and `--demand demand.json` (from `caplab demand fit`) calibrates
 * services over it. The traffic itself is pipeline/traffic.ts, fed by cli/chain.ts.
 */
import { join } from 'node:path';
import type { Traffic } from '../../models/types.ts';
import { TRAFFIC } from '../../pipeline/layout.ts';
import { computeTraffic, type TrafficFlags } from '../chain.ts';
import type { CommandRun } from '../context.ts';
import { EXIT } from '../errors.ts';
import { writeFileAtomic } from '../io.ts';
import { renderComparison, renderTraffic } from '../print/traffic.ts';

/** Options of `caplab traffic`. */
export interface TrafficOptions extends TrafficFlags {
  placement: string;
  baseline: string;
  json: boolean;
}

/**
 * Serialises traffic exactly as traffic.json holds it.
 * @param t traffic
 * @returns JSON text with a trailing newline
 */
export function trafficJson(t: Traffic): string {
  return `${JSON.stringify(t, null, 2)}\n`;
}

/** Runs `caplab traffic`. */
export const run: CommandRun<TrafficOptions> = async ({ opts, global }) => {
  const { traffic, comparison } = await computeTraffic(opts, global.seed);
  const json = trafficJson(traffic);
  if (opts.json) {
    process.stdout.write(json);
    return EXIT.ok;
  }
  const path = join(global.outDir, TRAFFIC);
  await writeFileAtomic(path, json);
  process.stdout.write(`${renderTraffic(traffic)}\n${comparison ? renderComparison(comparison) : ''}`);
  if (!global.quiet) process.stdout.write(`\nwrote ${path}\n`);
  return EXIT.ok;
};
