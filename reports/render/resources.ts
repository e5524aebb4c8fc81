/**
 * The resources part of the report's view model, from plan.json's `resources` section: the basis every tier is sized
 * on (the least-regret quantile, the target utilization of each resource, the per-node baseline), then per site and
 * quarter the application and storage tiers' chosen shape, its nodes and the resource that binds, the data stored and
 * raw, the busiest hour's network, egress and the monthly cost; per site which resource binds most often and the best
 * shape of each family. Pure; the same words in the HTML and Markdown reports.
 */
import type { ResourcePlan, TierPlan } from '../../models/capacity/resources/types.ts';
import type { ShapeSizing } from '../../models/capacity/resources/size-shape.ts';
import type { Band, Plan } from '../../models/types.ts';
import { int, NONE, pct, sig } from './format.ts';

/** One quarter of a site. */
export interface ResourceRow {
  quarter: string;
  /** `c7i.2xlarge × 12 (cpu)`; `no shape fits` when no shape offered carries the tier. */
  app: string;
  /** The same for the storage tier, {@link NONE} when the site stores nothing. */
  storage: string;
  /** The same for the push tier, {@link NONE} without push services. */
  push: string;
  /** Connections the push tier holds at the design point (null without push services). */
  connections: number | null;
  /** True when a tier needs a shape and none fits. */
  unfit: boolean;
  storedTB: Band;
  rawTBP50: number;
  outGbpsP50: number;
  inGbpsP50: number;
  egressTBP50: number;
  egressCost: number;
  totalCost: number;
}

/** One site. */
export interface ResourceSite {
  site: string;
  /** Where its CPU per request comes from, in words (plan.json `sites[dc].cpu.text`). */
  cpu: string;
  /** Connections one push node holds as the plan counts it and where that comes from (the probe's figure), in words; '' without a push tier. */
  connections: string;
  /** Which resource binds each tier most often, in words. */
  binding: string;
  /** The best shape of each family in the last quarter, in words (empty when there is one family only). */
  families: string;
  rows: ResourceRow[];
}

/** The section. */
export interface ResourcesSection {
  currency: string;
  designQuantile: number;
  /** Whether any site has a push tier (its columns are shown). */
  push: boolean;
  /** What every tier is sized on, in words. */
  basis: string;
  sites: ResourceSite[];
}

/** Column titles of a site's table (HTML and Markdown). */
export function resourceHeader(currency: string, push = false): string[] {
  return ['quarter', 'app tier (binds)', 'storage tier (binds)', ...(push ? ['push tier (binds)', 'connections'] : []), 'stored TB p50 (p10–p90)', 'raw TB p50', 'network out / in Gbit/s p50', 'egress TB/month p50', `egress ${currency}/month`, `total ${currency}/month`];
}

/**
 * A site's rows as table cells (the same in both reports).
 * @param s the site
 * @param push whether the push tier's columns are shown
 * @returns cells in the order of {@link resourceHeader}
 */
export function resourceCells(s: ResourceSite, push = false): string[][] {
  return s.rows.map((r) => [
    r.quarter, r.app, r.storage, ...(push ? [r.push, r.connections === null ? NONE : int(r.connections)] : []), `${tb(r.storedTB.p50)} (${tb(r.storedTB.p10)}–${tb(r.storedTB.p90)})`, tb(r.rawTBP50),
    `${sig(r.outGbpsP50, 3)} / ${sig(r.inGbpsP50, 3)}`, tb(r.egressTBP50), int(r.egressCost), int(r.totalCost),
  ]);
}

/** A figure with 3 significant digits; below 0.001 `<0.001` (TB and Gbit/s of a small site). */
export function tb(v: number): string {
  return v !== 0 && Math.abs(v) < 0.001 ? '<0.001' : sig(v, 3);
}

/** The resources' names in words. */
const WORD: Record<string, string> = { cpu: 'CPU', memory: 'memory', network: 'network', disk: 'disk', iops: 'IOPS', connections: 'connections', minimum: 'the minimum node count' };

function sizing(s: ShapeSizing): string {
  return `${s.shape} × ${int(s.nodes)} (${s.binds})`;
}

function tierCell(t: TierPlan | null | undefined): string {
  return t === undefined ? NONE : t === null ? 'no shape fits' : sizing(t.chosen);
}

/** `the app tier is bound by CPU in 11 of 12 quarters (memory in 1)`. */
function bindingWords(name: string, tiers: (TierPlan | null | undefined)[]): string | null {
  const sized = tiers.filter((t): t is TierPlan => t !== null && t !== undefined);
  const unfit = tiers.filter((t) => t === null).length;
  if (sized.length === 0 && unfit === 0) return null;
  const counts = new Map<string, number>();
  for (const t of sized) counts.set(t.chosen.binds, (counts.get(t.chosen.binds) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  const n = tiers.filter((t) => t !== undefined).length;
  const [top, rest] = [ranked[0], ranked.slice(1)];
  const all = n === 1 ? 'its one quarter' : n === 2 ? 'both quarters' : `all ${n} quarters`;
  const head = top ? `the ${name} tier is bound by ${WORD[top[0]] ?? top[0]} in ${top[1] === n ? all : `${top[1]} of ${n} quarters`}` : `no shape offered fits the ${name} tier`;
  const others = [...rest.map(([b, c]) => `${WORD[b] ?? b} in ${c}`), ...(unfit > 0 && top ? [`no shape fits in ${unfit}`] : [])];
  return others.length > 0 ? `${head} (${others.join(', ')})` : head;
}

/** `app tier: c7i.2xlarge × 12 (cpu, 3,000, chosen), m7i.2xlarge × 10 (memory, 3,400)`. */
function familyWords(name: string, t: TierPlan | null | undefined): string | null {
  if (!t || t.families.length < 2) return null;
  return `${name} tier ${t.families.map((f) => `${f.shape} × ${int(f.nodes)} (${f.binds}, ${int(f.costPerMonth)}${f.shape === t.chosen.shape ? ', chosen' : ''})`).join(', ')}`;
}

/**
 * The section, or null when the plan has no resource plan (plan.json written before, or without shapes).
 * @param plan plan.json
 * @returns the section
 */
export function resourcesOf(plan: Plan): ResourcesSection | null {
  const r: ResourcePlan | undefined = plan.resources;
  if (!r || Object.keys(r.sites).length === 0) return null;
  const currency = r.currency || plan.currency;
  const q = r.designQuantile;
  const regret = plan.settings?.regret;
  const t = r.targetUtilization;
  const basis = `Every tier is sized at p${Math.round(q * 100)} of each service's busiest hour with flash sales, the least-regret quantile` +
    `${regret ? ` (shortage weighs ${sig(regret.shortage)} to surplus ${sig(regret.surplus)})` : ''}, on every shape a site offers; the cheapest shape is chosen, ` +
    `its nodes are the most any resource needs, and the resource that sets the count binds. Target utilization per resource: ` +
    `CPU ${pct(t.cpu)}, memory ${pct(t.memory)}, network ${pct(t.network)}, disk ${pct(t.disk)}, IOPS ${pct(t.iops)}; ` +
    `every node keeps ${sig(r.baseline.cpuCores)} cores and ${sig(r.baseline.memoryGiB)} GiB for its baseline (OS, agents, runtime)` +
    `${plan.settings ? `; the application tier has N+${plan.settings.redundancy} spares` : ''}. Stored TB is the data as users stored it, raw TB after each service's redundancy; network is the busiest hour's traffic without what caches and CDNs serve.`;
  const sites = Object.entries(r.sites).map(([site, s]): ResourceSite => {
    const qs = s.quarters;
    const binding = [bindingWords('app', qs.map((x) => x.app)), bindingWords('storage', qs.map((x) => x.storage)), bindingWords('push', qs.map((x) => x.push))].filter((x): x is string => x !== null);
    const last = qs[qs.length - 1];
    const fam = last ? [familyWords('app', last.app), familyWords('storage', last.storage), familyWords('push', last.push)].filter((x): x is string => x !== null) : [];
    return {
      site, cpu: s.cpu.text, connections: s.connections?.text ?? '',
      binding: binding.length > 0 ? `At ${site}, ${binding.join('; ')}.` : '',
      families: fam.length > 0 && last ? `Best shape of each family in ${last.quarter} (${currency} per month): ${fam.join('; ')}.` : '',
      rows: qs.map((x): ResourceRow => ({
        quarter: x.quarter, app: tierCell(x.app), storage: tierCell(x.storage), push: tierCell(x.push), connections: x.connections?.held ?? null,
        unfit: x.app === null || x.storage === null || x.push === null,
        storedTB: x.storedTB, rawTBP50: x.rawTB.p50, outGbpsP50: x.network.outGbps.p50, inGbpsP50: x.network.inGbps.p50,
        egressTBP50: x.egress.tbPerMonth.p50, egressCost: x.egress.costPerMonth, totalCost: x.costPerMonth.total,
      })),
    };
  });
  const push = Object.values(r.sites).some((s) => s.quarters.some((x) => x.push !== undefined));
  return { currency, designQuantile: q, push, basis: push ? `${basis} Push nodes hold one connection per online device: connections are the active devices times the online share, and a node's count is bound by its connection limit, the memory of its connections, or the CPU of heartbeats and deliveries.` : basis, sites };
}
