/**
 * Erlang benchmark: the sizing loop of a full plan, 4 DCs x 12 quarters x 6 services x 512 Monte Carlo draws
 * (147,456 cells), with Erlang C sizing of every cell (fewest servers whose mean queueing wait meets the target)
 * against the same loop without the Erlang step (servers = ceil(offered load / target utilization)), measured in
 * the same run. Issue 7's goal is a whole plan under 1 s; this is the Erlang part of it.
 *
 * Demand is seeded and shaped like the plan's: a per-DC share of the service's peak requests/s growing per quarter,
 * times a log-normal draw (sd 0.25); service times 20-120 ms; target mean wait 10% of the service time. Offered
 * loads span about 1 to 3,000 erlangs. BENCH_ERLANG_REPEATS (default 3) repeats each loop and keeps the fastest.
 */
import { serversForWait } from '../models/capacity/erlang.ts';
import { createRng } from '../models/random.ts';

const DCS = 4;
const QUARTERS = 12;
const DRAWS = 512;
const REPEATS = Number(process.env.BENCH_ERLANG_REPEATS ?? 3);
const TARGET_UTILIZATION = 0.7;
/** Per service: peak requests/s of the whole fleet in the first quarter, and mean service time (s). */
const SERVICES = [
  { peak: 6000, serviceTime: 0.02 }, // accounts
  { peak: 9000, serviceTime: 0.06 }, // contacts sync
  { peak: 12000, serviceTime: 0.03 }, // messages
  { peak: 2000, serviceTime: 0.12 }, // OTA check
  { peak: 3000, serviceTime: 0.1 }, // photo backup
  { peak: 1500, serviceTime: 0.05 }, // push registration
];
const DC_SHARE = [0.45, 0.25, 0.2, 0.1];
const GROWTH_PER_QUARTER = 1.12;

/** Every cell's arrival rate, in loop order, drawn once so both loops see the same inputs. */
function demand(): Float64Array {
  const rng = createRng(1, 'bench.erlang.demand');
  const rates = new Float64Array(DCS * QUARTERS * SERVICES.length * DRAWS);
  let i = 0;
  for (let d = 0; d < DCS; d++) {
    for (let q = 0; q < QUARTERS; q++) {
      for (const s of SERVICES) {
        const mean = s.peak * DC_SHARE[d]! * GROWTH_PER_QUARTER ** q;
        for (let k = 0; k < DRAWS; k++) rates[i++] = mean * Math.exp(0.25 * rng.normal() - 0.03125);
      }
    }
  }
  return rates;
}

/** The sizing loop; with `erlang` false it sizes by utilization only. Returns total servers (to keep work live). */
function sizeAll(rates: Float64Array, erlang: boolean): number {
  let total = 0;
  let i = 0;
  for (let d = 0; d < DCS; d++) {
    for (let q = 0; q < QUARTERS; q++) {
      for (const s of SERVICES) {
        for (let k = 0; k < DRAWS; k++) {
          const rate = rates[i++]!;
          const byUtilization = Math.ceil((rate * s.serviceTime) / TARGET_UTILIZATION);
          total += erlang
            ? Math.max(byUtilization, serversForWait({ arrivalRate: rate, serviceTime: s.serviceTime, targetWait: 0.1 * s.serviceTime }))
            : byUtilization;
        }
      }
    }
  }
  return total;
}

function fastest(rates: Float64Array, erlang: boolean): { ms: number; total: number } {
  let ms = Infinity;
  let total = 0;
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    total = sizeAll(rates, erlang);
    ms = Math.min(ms, performance.now() - t0);
  }
  return { ms, total };
}

const rates = demand();
const cells = rates.length;
let minLoad = Infinity;
let maxLoad = 0;
rates.forEach((r, i) => {
  const load = r * SERVICES[Math.floor(i / DRAWS) % SERVICES.length]!.serviceTime;
  minLoad = Math.min(minLoad, load);
  maxLoad = Math.max(maxLoad, load);
});
const without = fastest(rates, false);
const withErlang = fastest(rates, true);
const ratio = withErlang.ms / without.ms;
console.log(`cells: ${DCS} DCs x ${QUARTERS} quarters x ${SERVICES.length} services x ${DRAWS} draws = ${cells.toLocaleString('en-US')}` +
  ` (offered load ${minLoad.toFixed(1)} to ${maxLoad.toFixed(0)} erlangs)`);
console.log(`sizing without Erlang:  ${without.ms.toFixed(1)} ms (${without.total.toLocaleString('en-US')} servers in total)`);
console.log(`sizing with Erlang C:   ${withErlang.ms.toFixed(1)} ms (${withErlang.total.toLocaleString('en-US')} servers in total; ` +
  `${((withErlang.ms * 1e6) / cells).toFixed(0)} ns per cell)`);
console.log(`ratio with/without:     ${ratio.toFixed(1)}x; Erlang step ${(withErlang.ms - without.ms).toFixed(1)} ms ` +
  `(goal: whole plan < 1 s) ${withErlang.ms < 1000 ? 'met' : 'MISSED'}`);
