/**
 * The stage chain (pipeline/chain.ts): it fills in what was not given in stage order and computes each stage once,
 * a given output is never recomputed (nor its inputs read), and what it gives is byte for byte what the commands print
 * (`caplab forecast|traffic|plan --json` run as real processes on the built-in data).
 */
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../cli/inputs/catalog.ts';
import { chainData } from '../../cli/inputs/chain-data.ts';
import { loadPlacement } from '../../cli/inputs/routing.ts';
import type { NodeCapacity } from '../../models/capacity/node-capacity.ts';
import { chain, type ChainData, type ChainGiven } from '../../pipeline/chain.ts';
import { StageInputError } from '../../pipeline/errors.ts';
import { runCli } from '../helpers/cli.ts';

const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

/** The built-in data, with a count of how often each file was asked for and the files that must not be read. */
function counted(forbidden: readonly (keyof ChainData)[] = []): { data: ChainData; reads: Map<string, number> } {
  const real = chainData();
  const reads = new Map<string, number>();
  const data = new Proxy(real, {
    get(target, key: string) {
      if (forbidden.includes(key as keyof ChainData)) throw new Error(`read ${key}`);
      reads.set(key, (reads.get(key) ?? 0) + 1);
      return Reflect.get(target, key, target) as unknown;
    },
  });
  return { data, reads };
}

async function builtIn(): Promise<ChainGiven> {
  const data = chainData();
  return { catalog: await loadCatalog(undefined, undefined), observed: new Map(), placement: await loadPlacement('seed-4dc', data.world) };
}

describe('the chain fills in what was not given', () => {
  it('plans from the history: forecast -> traffic -> plan, each stage once', async () => {
    const { data, reads } = counted();
    const c = chain(await builtIn(), data, 1);
    const plan = c.plan();
    expect(Object.keys(plan.dcs)).toEqual(['beijing', 'singapore', 'us-west-1', 'us-west-2']);
    // The plan's traffic is the chain's traffic, from the chain's forecast: asking again computes nothing.
    const [forecast, traffic] = [c.forecast(), c.traffic().traffic];
    expect(c.forecast()).toBe(forecast);
    expect(c.traffic().traffic).toBe(traffic);
    expect(c.plan()).toBe(plan);
    expect(reads.get('history')).toBe(1);
    expect(plan.dcs.singapore!.quarters.map((q) => q.quarter)).toEqual(traffic.dcs.singapore!.map((q) => q.quarter));
  });

  it('never recomputes a given output, nor reads what only its stage needs', async () => {
    const first = chain(await builtIn(), chainData(), 1);
    const traffic = first.traffic().traffic;
    // A given traffic: no forecast, no history, no growth settings, no load shape.
    const { data } = counted(['history', 'growth', 'analogues', 'loadShape']);
    const c = chain({ ...(await builtIn()), traffic }, data, 1);
    expect(c.traffic().traffic).toBe(traffic);
    // The same plan; only what needs the forecast is left out: the fleet check at the fleet's as-of period, and
    // growth among the sensitivity's inputs.
    const { fleetCheck, sensitivity, ...plan } = c.plan();
    const { fleetCheck: firstCheck, sensitivity: firstSensitivity, ...firstPlan } = first.plan();
    expect(json(plan)).toBe(json(firstPlan));
    expect(sensitivity!.inputs.map((x) => x.name).sort()).toEqual(firstSensitivity!.inputs.map((x) => x.name).filter((n) => n !== 'growth').sort());
    expect(firstCheck).toMatchObject({ status: 'checked' });
    expect(fleetCheck).toMatchObject({ status: 'unavailable', reason: 'the traffic does not cover the fleet\'s as-of period 2014Q4' });
    expect(() => c.forecast()).toThrow('read history');
  });

  it('keeps the earlier stages when more is given, and makes a new plan for a new measurement', async () => {
    const c = chain(await builtIn(), chainData(), 1);
    const modeled = c.plan();
    const cap = modeled.dcs.singapore!.capacity;
    const singapore = { ...cap, source: 'measured', perNodeRps: cap.perNodeRps * 2, inputs: { probe: 'capacity/singapore/points-probe.ndjson.gz' } } as unknown as NodeCapacity;
    const measured = c.with({ measured: { singapore } });
    expect(measured.traffic().traffic).toBe(c.traffic().traffic);
    const plan = measured.plan();
    expect(plan).not.toBe(modeled);
    expect(plan.dcs.singapore!.capacity.source).toBe('measured');
    expect(plan.dcs.beijing!.capacity.source).toBe('modeled');
  });

  it('names what a stage needs and was not given, and a stage\'s refusal is a StageInputError', async () => {
    expect(() => chain({}, chainData(), 1).traffic()).toThrow(/traffic stage needs `placement`/);
    const given = { ...(await builtIn()), forecastChoices: { select: 'crps' as const } };
    expect(() => chain(given, chainData(), 1).forecast()).toThrow(StageInputError);
    const reversed = { ...(await builtIn()), from: '2016Q1', to: '2015Q1' };
    expect(() => chain(reversed, chainData(), 1).traffic()).toThrow('--from 2016Q1 comes after --to 2015Q1');
  });
});

describe('the chain gives what the commands print, byte for byte', () => {
  it('forecast, traffic and plan --json (seed 3)', async () => {
    const c = chain(await builtIn(), chainData(), 3);
    const [f, t, p] = await Promise.all([
      runCli(['--seed', '3', 'forecast', '--json']),
      runCli(['--seed', '3', 'traffic', '--json']),
      runCli(['--seed', '3', 'plan', '--json']),
    ]);
    expect(f.code, f.stderr).toBe(0);
    expect(f.stdout).toBe(json(c.forecast()));
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toBe(json(c.traffic().traffic));
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toBe(json(c.plan()));
  });
});
