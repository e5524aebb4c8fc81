/**
 * A world's `shapes` (a caplab.shapes/v1 file relative to the world, or inline) and `move`: read with the world, every
 * problem of the world, its shapes file and its move listed at once with its path, and a world read back from a
 * campaign's world.json carries its shapes inline.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtInWorld, readWorld } from '../../../cli/inputs/world.ts';
import { removeDir, runCli, tempDir } from '../../helpers/cli.ts';
import { tidepoolWorld } from '../../helpers/tidepool-world.ts';

const dir = tempDir('caplab-world-resources-');
afterAll(() => removeDir(dir));

const world = (extra: string): string => tidepoolWorld('{ kind: peak-rps, peakRps: 40, growthPerPeriod: { low: 0.01, mid: 0.02, high: 0.03 } }', extra);

const shapes = (currency = 'EUR', extraSite = ''): string => JSON.stringify({
  schema: 'caplab.shapes/v1', currency,
  baseline: { cpuCores: 0.5, memoryGiB: 2 },
  targetUtilization: { cpu: 0.7, memory: 0.8, network: 0.6, disk: 0.8, iops: 0.6 },
  shapes: {
    app: { family: 'a', tiers: ['app'], vcpu: 8, memoryGiB: 32, networkGbps: 1, disk: { kind: 'ssd', sizeGB: 200, iops: 20000 } },
    store: { family: 's', tiers: ['storage'], vcpu: 8, memoryGiB: 64, networkGbps: 10, disk: { kind: 'hdd', sizeGB: 96000, iops: 1800 } },
  },
  sites: {
    harbor: { prices: { app: { perMonth: 210 }, store: { perMonth: 640 } }, egressPerGB: 0.02 },
    cliff: { prices: { app: { perHour: 0.36 } }, egressPerGB: 0.05 },
    ...(extraSite ? { [extraSite]: { prices: { app: { perMonth: 1 }, nowhere: { perMonth: 1 } }, egressPerGB: 0 } } : {}),
  },
});

describe('world shapes and move', () => {
  it('reads the shapes file relative to the world, and records it inline', async () => {
    writeFileSync(join(dir, 'shapes.json'), shapes());
    writeFileSync(join(dir, 'world.yaml'), world('shapes: shapes.json\nmove: { from: harbor, link: { outbound: { bandwidthGbps: 1, lossRate: 0.001 }, inbound: { bandwidthGbps: 1, lossRate: 0.01 }, rttMs: 110, streams: 16 }, waves: [{ to: cliff, start: 2027Q2, countries: [PT] }] }\n'));
    const r = await readWorld(join(dir, 'world.yaml'));
    expect(r.problems).toEqual([]);
    expect(Object.keys(r.loaded!.shapes!.shapes)).toEqual(['app', 'store']);
    expect(r.loaded!.doc.shapes).toEqual(r.loaded!.shapes);
    expect(r.loaded!.world.move).toMatchObject({ from: 'harbor', catchUpHours: 1, cutoverHours: 4, link: { mssBytes: 1460 } });
    // The recorded document reads back alone, its shapes inline.
    const again = await readWorld({ inline: JSON.parse(JSON.stringify(r.loaded!.doc)), baseDir: '/nonexistent', source: 'world.json' });
    expect(again.problems).toEqual([]);
    expect(again.loaded!.shapes).toEqual(r.loaded!.shapes);
  });

  it('lists every problem of the world, its shapes and its move at once, each with its path', async () => {
    writeFileSync(join(dir, 'bad-shapes.json'), shapes('USD', 'mars'));
    writeFileSync(join(dir, 'bad-world.yaml'), world('shapes: bad-shapes.json\nmove: { from: moon, link: { outbound: { bandwidthGbps: 1, lossRate: 0.7 }, inbound: { bandwidthGbps: 1, lossRate: 0.01 }, rttMs: 110, streams: 16 }, waves: [{ to: cliff, start: 2031Q1, countries: [XX] }] }\n'));
    const r = await readWorld(join(dir, 'bad-world.yaml'));
    const got = r.problems.map((p) => `${p.where.replaceAll(`${dir}/`, '')}: ${p.message}`);
    expect(got).toEqual(expect.arrayContaining([
      expect.stringMatching(/bad-world\.yaml: move\.link\.outbound\.lossRate: at most 0\.5/),
    ]));
    // The shape problem stops the cross-checks of the move only for the fields it spoils: fix it and the rest appear.
    writeFileSync(join(dir, 'bad-world.yaml'), world('shapes: bad-shapes.json\nmove: { from: moon, link: { outbound: { bandwidthGbps: 1, lossRate: 0.01 }, inbound: { bandwidthGbps: 1, lossRate: 0.01 }, rttMs: 110, streams: 16 }, waves: [{ to: cliff, start: 2031Q1, countries: [XX] }] }\n'));
    const r2 = await readWorld(join(dir, 'bad-world.yaml'));
    const got2 = r2.problems.map((p) => `${p.where.replaceAll(`${dir}/`, '')}: ${p.message}`);
    expect(got2).toEqual(expect.arrayContaining([
      expect.stringMatching(/bad-world\.yaml: move\.from: "moon" is not one of the sites/),
      expect.stringMatching(/bad-world\.yaml: move\.waves\[0\]\.start: must lie within the horizon/),
      expect.stringMatching(/bad-world\.yaml: move\.waves\[0\]\.countries\[0\]: XX is not a country of the world/),
    ]));
    expect(r2.problems).toHaveLength(3);
  });

  it('lists the shapes file\'s own problems with its path', async () => {
    writeFileSync(join(dir, 'bad-shapes.json'), shapes('USD', 'mars'));
    writeFileSync(join(dir, 'w2.yaml'), world('shapes: bad-shapes.json\n'));
    const r = await readWorld(join(dir, 'w2.yaml'));
    const got = r.problems.map((p) => `${p.where.replaceAll(`${dir}/`, '')}: ${p.message}`);
    expect(got).toEqual(['bad-shapes.json: sites.mars.prices.nowhere: "nowhere" is not one of the shapes']);
    writeFileSync(join(dir, 'usd.json'), shapes('USD', 'mars').replace('"nowhere":{"perMonth":1},', '').replace(',"nowhere":{"perMonth":1}', ''));
    writeFileSync(join(dir, 'w3.yaml'), world('shapes: usd.json\n'));
    const r3 = await readWorld(join(dir, 'w3.yaml'));
    expect(r3.problems.map((p) => `${p.where.replaceAll(`${dir}/`, '')}: ${p.message}`)).toEqual([
      'usd.json: sites.mars: "mars" is not one of the world\'s sites (harbor, cliff)',
      'usd.json: currency: prices are in USD, the world\'s in EUR: give both in one currency',
    ]);
    writeFileSync(join(dir, 'w4.yaml'), world('shapes: missing.json\n'));
    const r4 = await readWorld(join(dir, 'w4.yaml'));
    expect(r4.problems.map((p) => p.where)).toEqual([`${join(dir, 'w4.yaml')}: shapes`]);
  });

  it('exits 104 on a campaign whose world names a broken shapes file', async () => {
    writeFileSync(join(dir, 'c.yaml'), 'world: w2.yaml\ntargets: { harbor: "http://127.0.0.1:9", cliff: "http://127.0.0.1:9" }\n');
    const r = await runCli(['--out-dir', join(dir, 'out'), 'campaign', join(dir, 'c.yaml')]);
    expect(r.code).toBe(104);
    expect(r.stderr).toMatch(/bad-shapes\.json: sites\.mars\.prices\.nowhere/);
  });

  it('the built-in world names data/shapes.json and a move out of Beijing', () => {
    const w = builtInWorld();
    expect(Object.keys(w.shapes!.sites).sort()).toEqual(['beijing', 'singapore', 'us-west-1', 'us-west-2']);
    expect(w.world.move?.from).toBe('beijing');
  });
});
