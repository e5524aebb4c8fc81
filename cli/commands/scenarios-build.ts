/**
 * `caplab scenarios build`: write the probe, sweep and replay specs of every data center for one quarter into
 * <out-dir>/scenarios/, each validated with the scenario schema before anything is written, with the users file
 * each spec reads (`users-<dc>.ndjson`, the DC's users of the quarter's population). The specs themselves are
 * pipeline/scenarios.ts, fed by cli/chain.ts.
 */
import { join } from 'node:path';
import { specFile, usersFile } from '../../pipeline/layout.ts';
import { computeScenarios, type ScenariosFlags } from '../chain.ts';
import type { CommandRun } from '../context.ts';
import { EXIT } from '../errors.ts';
import { writeFileAtomic } from '../io.ts';

/** Options of `caplab scenarios build`. */
export type ScenariosBuildOptions = ScenariosFlags;

/** Runs `caplab scenarios build`. */
export const run: CommandRun<ScenariosBuildOptions> = async ({ opts, global }) => {
  const { specs, skipped, quarter, users } = await computeScenarios(opts, global.outDir, global.seed);
  const written: string[] = [];
  for (const [dc, text] of Object.entries(users).filter(([d]) => specs[d] !== undefined)) {
    const path = join(global.outDir, usersFile(dc));
    await writeFileAtomic(path, text);
    written.push(path);
  }
  for (const [dc, kinds] of Object.entries(specs)) {
    for (const [kind, spec] of Object.entries(kinds)) {
      if (!spec) continue;
      const path = join(global.outDir, specFile(dc, kind));
      await writeFileAtomic(path, `${JSON.stringify(spec, null, 2)}\n`);
      written.push(path);
    }
  }
  if (!global.quiet) {
    process.stdout.write(`scenarios for ${quarter}${opts.quick ? ' (quick)' : ''}:\n${written.map((p) => `  ${p}`).join('\n')}\n`);
    if (skipped.length > 0) process.stdout.write(`no demand in ${quarter}, no scenarios for: ${skipped.join(', ')}\n`);
  }
  return EXIT.ok;
};
