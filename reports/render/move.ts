/**
 * The move part of the report's view model, from plan.json's `move` section: the link (each direction's bandwidth,
 * loss and per-stream TCP limit, the round trip, the streams), per wave the data to copy, the throughput and what
 * limits it, the hours of the bulk copy, the catch-up (or that it never converges) and the cut-over, the end date,
 * the nodes held at the site left and what running both costs, a roll-back's hours; the latency of each country
 * before, during and after; and the timeline the chart draws (days from the first wave's start). Pure; the same words
 * in the HTML and Markdown reports.
 */
import type { MovePlan, MoveWave } from '../../models/capacity/resources/types.ts';
import type { Plan } from '../../models/types.ts';
import { int, ms, NONE, num, pct, sig } from './format.ts';
import { tb } from './resources.ts';

const DAY_MS = 86_400_000;

/** One wave as the tables show it. */
export interface MoveRow {
  /** `wave 1 → berlin`. */
  wave: string;
  to: string;
  start: string;
  startDate: string;
  countries: string;
  dataTB: string;
  throughput: string;
  bulk: string;
  catchUp: string;
  cutover: string;
  total: string;
  endDate: string;
  held: string;
  heldCost: string;
  rollback: string;
  /** False when the catch-up never converges. */
  converges: boolean;
}

/** One wave on the timeline: days from the first wave's start (null: the step never happens). */
export interface MoveBar {
  label: string;
  startDate: string;
  start: number;
  bulkEnd: number;
  /** The day the bulk copy ends, ISO date. */
  bulkEndDate: string;
  catchUpEnd: number | null;
  cutoverEnd: number | null;
  converges: boolean;
}

/** The section. */
export interface MoveSection {
  from: string;
  currency: string;
  /** The link in words. */
  link: string;
  rows: MoveRow[];
  /** One sentence per wave whose catch-up never converges. */
  never: string[];
  latency: { country: string; wave: string; before: string; during: string; after: string }[];
  notes: string[];
  /** The timeline chart's data: day 0 is `day0`. */
  day0: string;
  bars: MoveBar[];
  /** The timeline in words, one line per wave (`2027-01-01 → 2027-01-09`). */
  timeline: string[];
}

/** Column titles of the waves table (HTML and Markdown). */
export function moveHeader(currency: string): string[] {
  return ['wave', 'start', 'countries', 'data TB p50 (p90)', 'throughput (limited by)', 'bulk copy', 'catch-up', 'cut-over', 'total', 'ends', 'held nodes', `running both, ${currency}`, 'roll-back'];
}

/**
 * The waves as table cells.
 * @param s the section
 * @returns cells in the order of {@link moveHeader}
 */
export function moveCells(s: MoveSection): string[][] {
  return s.rows.map((r) => [r.wave, `${r.start} (${r.startDate})`, r.countries, r.dataTB, r.throughput, r.bulk, r.catchUp, r.cutover, r.total, r.endDate, r.held, r.heldCost, r.rollback]);
}

/**
 * A duration in words: minutes below an hour, hours below two days, else days.
 * @param h hours (null or not finite: {@link NONE})
 * @returns e.g. `45 min`, `31.5 h`, `12.3 d`
 */
export function duration(h: number | null | undefined): string {
  if (typeof h !== 'number' || !Number.isFinite(h)) return NONE;
  if (h < 1) return `${Math.round(h * 60)} min`;
  return h < 48 ? `${num(h)} h` : `${num(h / 24)} d`;
}

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
const mbps = (bytesPerSecond: number): string => `${sig(bytesPerSecond / 1e6, 3)} MB/s`;
const addDays = (iso: string, days: number): string => new Date(Date.parse(`${iso}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/**
 * The section, or null when the plan has no move (plan.json written before, or a world without one).
 * @param plan plan.json
 * @returns the section
 */
export function moveOf(plan: Plan): MoveSection | null {
  const m: MovePlan | undefined = plan.move;
  if (!m) return null;
  const currency = plan.currency;
  const l = m.link;
  const dir = (d: MovePlan['link']['outbound']): string => `${sig(d.bandwidthGbps, 3)} Gbit/s at ${pct(d.lossRate)} loss`;
  const link = `The move out of ${m.from} copies over a link of ${dir(l.outbound)} outbound and ${dir(l.inbound)} inbound (a roll-back's direction), ` +
    `${ms(l.rttMs)} round trip, ${int(l.streams)} parallel TCP streams; under loss one stream carries at most ${sig(l.outbound.perStreamMbps, 3)} Mbit/s outbound ` +
    `and ${sig(l.inbound.perStreamMbps, 3)} Mbit/s inbound (Mathis et al. 1997). Each wave copies in bulk, then catches up with what its countries wrote meanwhile ` +
    `until the rest copies within ${duration(m.catchUpHours)}, then cuts over with writes held for at least ${duration(m.cutoverHours)}.`;
  const waves = m.waves;
  const day0 = waves.map((w) => w.startDate).sort()[0] ?? '';
  const label = (w: MoveWave, i: number): string => `wave ${i + 1} → ${w.to}`;
  const rows = waves.map((w, i): MoveRow => {
    const converges = w.hours.catchUp !== null && finite(w.hours.total);
    return {
      wave: label(w, i), to: w.to, start: w.start, startDate: w.startDate, countries: w.countries.join(', ') || NONE,
      dataTB: `${tb(w.dataTB.p50)} (${tb(w.dataTB.p90)})`,
      throughput: `${mbps(w.throughputBytesPerSecond)} (${w.limitedBy})`,
      bulk: `${duration(w.hours.bulk)} (p90 ${duration(w.bulkHoursP90)})`,
      catchUp: w.hours.catchUp === null ? 'never converges' : w.hours.catchUp === 0 ? 'none needed'
        : `${duration(w.hours.catchUp)}${w.rounds !== null ? ` (${w.rounds} round${w.rounds === 1 ? '' : 's'})` : ''}`,
      cutover: converges ? duration(w.hours.cutover) : NONE,
      total: converges ? duration(w.hours.total) : 'never',
      endDate: w.endDate ?? 'never',
      held: `${int(w.held.nodes)} nodes${finite(w.held.months) ? ` for ${num(w.held.months)} months` : ', open-ended'}`,
      heldCost: finite(w.held.cost) ? int(w.held.cost) : 'open-ended',
      rollback: duration(w.rollbackHours),
      converges,
    };
  });
  const never = waves.flatMap((w, i) => (rows[i]!.converges ? [] : [
    `${label(w, i)} never converges: its countries write ${mbps(w.writeBytesPerSecond)} while the link copies ${mbps(w.throughputBytesPerSecond)}, so the catch-up cannot close the gap; ` +
    `the bulk copy alone takes ${duration(w.hours.bulk)} from ${w.startDate}, and ${m.from} keeps ${int(w.held.nodes)} nodes for its countries with no end.`,
  ]));
  const since = (d: string): number => (Date.parse(`${d}T00:00:00Z`) - Date.parse(`${day0}T00:00:00Z`)) / DAY_MS;
  const bars = waves.map((w, i): MoveBar => {
    const start = since(w.startDate);
    const bulkEnd = start + w.hours.bulk / 24;
    const converges = rows[i]!.converges;
    const catchUpEnd = converges ? bulkEnd + w.hours.catchUp! / 24 : null;
    return {
      label: `${label(w, i)} (${w.start})${converges ? '' : ': never converges'}`, startDate: w.startDate, start, bulkEnd, bulkEndDate: addDays(day0, bulkEnd), catchUpEnd,
      cutoverEnd: converges && catchUpEnd !== null ? catchUpEnd + (finite(w.hours.cutover) ? w.hours.cutover : 0) / 24 : null, converges,
    };
  });
  const timeline = waves.map((w, i) => {
    const b = bars[i]!;
    return b.converges
      ? `${label(w, i)}: ${w.startDate} → ${w.endDate ?? addDays(day0, b.cutoverEnd!)} (bulk copy ${duration(w.hours.bulk)} to ${b.bulkEndDate}, catch-up ${duration(w.hours.catchUp)}, cut-over ${duration(w.hours.cutover)})`
      : `${label(w, i)}: ${w.startDate} → never (bulk copy ${duration(w.hours.bulk)} to ${b.bulkEndDate}, then the catch-up never converges)`;
  });
  const latency = waves.flatMap((w, i) => w.latency.map((x) => ({ country: x.country, wave: label(w, i), before: ms(x.before), during: ms(x.during), after: ms(x.after) })));
  return { from: m.from, currency, link, rows, never, latency, notes: [...m.notes], day0, bars, timeline };
}
