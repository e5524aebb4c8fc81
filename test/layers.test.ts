/**
 * The house rule, checked on every run: no import circle, imports only along models -> scenarios -> reports ->
 * pipeline -> cli, stacks never import the load side, and no command imports another command. The fixture graphs
 * show that each rule fails when broken, so a green run is evidence and not an empty check.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findCircles, type ImportGraph, readImportGraph, ruleViolations, SOURCE_DIRS } from './helpers/import-graph.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const graphOf = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges));

describe('the repository keeps its layers', () => {
  const graph = readImportGraph(ROOT);

  it('reads the real source tree (every layer has modules and imports)', () => {
    for (const dir of SOURCE_DIRS) expect([...graph.keys()].some((f) => f.startsWith(`${dir}/`)), dir).toBe(true);
    // Imports are found: without them every rule below would hold vacuously.
    expect([...graph.values()].reduce((n, t) => n + t.length, 0)).toBeGreaterThan(500);
    expect(graph.get('cli/main.ts')?.length).toBeGreaterThan(0);
  });

  it('has no import circle', () => {
    expect(findCircles(graph).map((c) => c.join(' <-> '))).toEqual([]);
  });

  it('imports only along models -> scenarios -> reports -> pipeline -> cli, stacks apart, no command importing a command', () => {
    expect(ruleViolations(graph)).toEqual([]);
  });
});

describe('the checks fail when a rule is broken (fixture graphs)', () => {
  it('finds a deliberately added circle, a longer one and a self-import', () => {
    const clean = graphOf({
      'reports/render/model.ts': ['reports/render/model-types.ts', 'reports/render/assumptions.ts'],
      'reports/render/assumptions.ts': ['reports/render/model-types.ts'],
      'reports/render/model-types.ts': [],
    });
    expect(findCircles(clean)).toEqual([]);
    // The circle main had before the report model's types got their own module.
    const withCircle = graphOf({ ...Object.fromEntries(clean), 'reports/render/assumptions.ts': ['reports/render/model.ts'] });
    expect(findCircles(withCircle)).toEqual([['reports/render/assumptions.ts', 'reports/render/model.ts']]);
    const longer = graphOf({ 'cli/a.ts': ['cli/b.ts'], 'cli/b.ts': ['cli/c.ts'], 'cli/c.ts': ['cli/a.ts'], 'cli/d.ts': ['cli/a.ts'] });
    expect(findCircles(longer)).toEqual([['cli/a.ts', 'cli/b.ts', 'cli/c.ts']]);
    expect(findCircles(graphOf({ 'models/x.ts': ['models/x.ts'] }))).toEqual([['models/x.ts']]);
  });

  it('finds an import against the flow, into stacks, out of stacks, and between commands', () => {
    const bad = graphOf({
      'models/a.ts': ['scenarios/b.ts'],
      'pipeline/plan.ts': ['cli/io.ts', 'reports/x.ts', 'models/a.ts'],
      'stacks/api.ts': ['scenarios/spec.ts', 'models/b.ts'],
      'scenarios/engine/run.ts': ['stacks/start.ts'],
      'cli/commands/plan.ts': ['cli/commands/traffic.ts', 'pipeline/plan.ts', 'stacks/start.ts'],
    });
    expect(ruleViolations(bad)).toEqual([
      'cli/commands/plan.ts imports cli/commands/traffic.ts: a command never imports another command (move what they share to pipeline/ or cli/inputs/)',
      'models/a.ts imports scenarios/b.ts: models comes before scenarios (models -> scenarios -> reports -> pipeline -> cli)',
      'pipeline/plan.ts imports cli/io.ts: pipeline comes before cli (models -> scenarios -> reports -> pipeline -> cli)',
      'scenarios/engine/run.ts imports stacks/start.ts: only cli starts the stacks',
      'stacks/api.ts imports scenarios/spec.ts: stacks may import models only (they talk to the load side over HTTP)',
    ]);
  });
});
