/**
 * `caplab fit erlang --rate R --service-time S --servers C [--target-wait T] [--json]`: an M/M/c queue by
 * Erlang C. R in requests/s (`120`, `1.5k`); S and T in seconds, or with a unit (`50ms`, `250us`, `0.2s`, `2m`).
 * Prints utilization, P(wait), mean wait and, with --target-wait, the fewest servers meeting it; --json prints
 * exactly {pWait, meanWait, utilization, serversForTarget} (meanWait null when the queue is unstable,
 * serversForTarget null without --target-wait). An unstable queue (offered load >= servers) is an answer, not an
 * error: it exits 0 and says UNSTABLE. Every bad or missing flag is listed at once (exit 104). Writes nothing.
 */
import { InvalidArgumentError } from 'commander';
import { mmc, type MmcResult, serversForWait } from '../../models/capacity/erlang.ts';
import { type Problem, ValidationError } from '../../models/errors.ts';
import type { CommandRun } from '../context.ts';
import { EXIT } from '../errors.ts';
import { parseCount, parsePositive } from '../parse.ts';

/** Options of `caplab fit erlang` as commander passes them (raw strings; parsed here so all problems show). */
export interface FitErlangOptions {
  rate?: string;
  serviceTime?: string;
  servers?: string;
  targetWait?: string;
  json: boolean;
}

/** What `--json` prints: exactly these keys. */
export interface ErlangJson {
  /** Probability a request waits (Erlang C); 1 when unstable. */
  pWait: number;
  /** Mean wait in the queue, seconds; null when unstable (infinite). */
  meanWait: number | null;
  /** Offered load per server A/c (>= 1 means unstable). */
  utilization: number;
  /** Fewest servers with mean wait <= --target-wait; null without --target-wait. */
  serversForTarget: number | null;
}

const MAX_SERVERS = 10_000_000;
const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/**
 * Parses a duration: seconds as a bare number, or a number with a unit ns, us (µs), ms, s, m or h.
 * @param text flag value, e.g. `50ms`
 * @returns seconds
 * @throws {InvalidArgumentError} when not a positive finite duration
 * @example parseSeconds('50ms') // 0.05
 */
export function parseSeconds(text: string): number {
  const m = /^\s*((?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)\s*(ns|us|µs|ms|s|m|h)?\s*$/i.exec(text);
  const unit = m?.[2]?.toLowerCase() ?? 's';
  const v = m ? Number(m[1]) * UNIT_SECONDS[unit]! : NaN;
  if (!Number.isFinite(v) || v <= 0) throw new InvalidArgumentError(`"${text}" is not a positive duration (seconds, or e.g. 50ms, 250us, 2m).`);
  return v;
}

/**
 * Formats seconds for people: µs, ms or s with 4 significant digits.
 * @param s seconds (Infinity prints as "infinite")
 * @returns e.g. `8.184 s`, `12.5 ms`
 */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return 'infinite';
  if (s === 0) return '0 s';
  if (s < 1e-3) return `${Number((s * 1e6).toPrecision(4))} µs`;
  if (s < 1) return `${Number((s * 1e3).toPrecision(4))} ms`;
  return `${Number(s.toPrecision(4))} s`;
}

/**
 * The `--json` object.
 * @param r queue figures
 * @param serversForTarget result of the sizing, or null
 * @returns {pWait, meanWait, utilization, serversForTarget}
 */
export function erlangJson(r: MmcResult, serversForTarget: number | null): ErlangJson {
  return { pWait: r.pWait, meanWait: Number.isFinite(r.meanWait) ? r.meanWait : null, utilization: r.utilization, serversForTarget };
}

interface Parsed {
  rate: number;
  serviceTime: number;
  servers: number;
  targetWait: number | undefined;
}

/** Parses every flag, collecting all problems before failing. */
function parseFlags(opts: FitErlangOptions): Parsed {
  const problems: Problem[] = [];
  const take = <T>(flag: string, raw: string | undefined, parse: (t: string) => T, what: string, required: boolean): T | undefined => {
    if (raw === undefined) {
      if (required) problems.push({ where: flag, message: `missing: give ${what}` });
      return undefined;
    }
    try {
      return parse(raw);
    } catch (err) {
      problems.push({ where: flag, message: `${(err as Error).message} Expected ${what}.` });
      return undefined;
    }
  };
  const rate = take('--rate', opts.rate, parsePositive, 'the arrival rate in requests/s, e.g. 120 or 1.5k', true);
  const serviceTime = take('--service-time', opts.serviceTime, parseSeconds, 'the mean service time, e.g. 0.05 or 50ms', true);
  const servers = take('--servers', opts.servers, parseCount, 'the number of servers, a positive integer', true);
  const targetWait = take('--target-wait', opts.targetWait, parseSeconds, 'the target mean queueing wait, e.g. 10ms', false);
  // The Erlang recursions are O(servers) and O(offered load): bound both so a typo cannot hang the command.
  if (servers !== undefined && servers > MAX_SERVERS) problems.push({ where: '--servers', message: `${servers} is more than ${MAX_SERVERS} servers` });
  if (rate !== undefined && serviceTime !== undefined && rate * serviceTime > MAX_SERVERS) {
    problems.push({ where: '--rate, --service-time', message: `offered load ${rate * serviceTime} erlangs is more than ${MAX_SERVERS}` });
  }
  if (problems.length > 0) throw new ValidationError('caplab fit erlang: invalid options', problems);
  return { rate: rate!, serviceTime: serviceTime!, servers: servers!, targetWait };
}

/**
 * The text summary. Pure.
 * @param p parsed flags
 * @param r queue figures
 * @param sized servers for the target wait, or null
 * @returns lines ending with a newline
 */
function renderErlang(p: Parsed, r: MmcResult, sized: number | null): string {
  const lines = [
    `M/M/c queue (Erlang C): ${p.rate} requests/s, mean service time ${formatSeconds(p.serviceTime)}, ${p.servers} server${p.servers === 1 ? '' : 's'}`,
    `  offered load   ${Number(r.offeredLoad.toPrecision(6))} erlangs (rate × service time)`,
    `  utilization    ${(r.utilization * 100).toFixed(1)}%`,
  ];
  if (!r.stable) {
    lines.push(`  UNSTABLE: offered load >= ${p.servers} servers; the queue grows without bound`);
    lines.push('  P(wait)        1');
    lines.push('  mean wait      infinite');
  } else {
    lines.push(`  P(wait)        ${Number(r.pWait.toPrecision(4))}`);
    lines.push(`  mean wait      ${formatSeconds(r.meanWait)} in the queue (response ${formatSeconds(r.meanResponse)})`);
  }
  if (sized !== null && p.targetWait !== undefined) {
    lines.push(`  servers needed ${sized} for a mean wait <= ${formatSeconds(p.targetWait)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Runs `caplab fit erlang`. */
export const run: CommandRun<FitErlangOptions> = async ({ opts }) => {
  const p = parseFlags(opts);
  const r = mmc({ arrivalRate: p.rate, serviceTime: p.serviceTime, servers: p.servers });
  const sized = p.targetWait === undefined ? null : serversForWait({ arrivalRate: p.rate, serviceTime: p.serviceTime, targetWait: p.targetWait });
  process.stdout.write(opts.json ? `${JSON.stringify(erlangJson(r, sized), null, 2)}\n` : renderErlang(p, r, sized));
  return EXIT.ok;
};
