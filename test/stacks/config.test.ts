import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../models/errors.ts';
import { loadStackData, ROUTE_NAMES, STACK_DATA_DIR } from '../../stacks/config.ts';
import { startStacks } from '../../stacks/start.ts';

const dir = mkdtempSync(join(tmpdir(), 'caplab-stack-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stack data files', () => {
  it('load and cover every route and data center', () => {
    const d = loadStackData();
    expect(Object.keys(d.services.routes).sort()).toEqual([...ROUTE_NAMES].sort());
    expect(Object.keys(d.hardware.dcs).sort()).toEqual(Object.keys(d.rtt.dcs).sort());
  });

  it('reports every problem of every file with its path', () => {
    for (const f of ['hardware.json', 'services.json', 'world.json']) cpSync(new URL(f, STACK_DATA_DIR), join(dir, f));
    writeFileSync(join(dir, 'hardware.json'), JSON.stringify({ schema: 'caplab.hardware/v1', profiles: { p: { workers: 0, sigma: 2, kappa: 0, queue: 1 } }, dcs: {} }));
    writeFileSync(join(dir, 'world.json'), '{ nope');
    let err: unknown;
    try {
      loadStackData(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    const where = (err as ValidationError).problems.map((p) => p.where);
    expect(where).toEqual(expect.arrayContaining([
      'data/hardware.json: profiles.p.workers', 'data/hardware.json: profiles.p.sigma', 'data/hardware.json: (root)', 'data/world.json',
    ]));
  });

  it('startStacks lists every bad option', async () => {
    await expect(startStacks({ dataDir: join(dir, 'd'), dcs: ['mars', 'singapore', 'singapore'], nodes: 0 })).rejects.toThrow(ValidationError);
    await expect(startStacks({ dataDir: join(dir, 'd'), dcs: ['mars', 'singapore', 'singapore'] })).rejects.toMatchObject({
      problems: [expect.objectContaining({ where: 'stack options: dcs[0]' }), expect.objectContaining({ where: 'stack options: dcs' })],
    });
  });
});
