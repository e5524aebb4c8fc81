import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSpecFiles } from '../../../cli/inputs/spec-files.ts';
import { ValidationError } from '../../../models/errors.ts';
import { LIMITS } from '../../../models/limits.ts';
import { parseScenarioSpec } from '../../../scenarios/spec.ts';
import { removeDir, tempDir } from '../../helpers/cli.ts';

const dir = tempDir('caplab-spec-files-limits-');
afterAll(() => removeDir(dir));

describe('readSpecFiles limits', () => {
  it('refuses a file over specFileBytes, and files over specFilesTotalBytes together, before reading them', async () => {
    const saved = { one: LIMITS.specFileBytes, all: LIMITS.specFilesTotalBytes };
    writeFileSync(join(dir, 'big.bin'), Buffer.alloc(3000));
    writeFileSync(join(dir, 'a.bin'), Buffer.alloc(900));
    writeFileSync(join(dir, 'b.bin'), Buffer.alloc(900));
    const spec = parseScenarioSpec({
      schema: 'caplab.scenario/v1', name: 'l', flows: { default: { steps: [
        { url: 'http://x/', method: 'PUT', body: { file: 'big.bin' } },
        { url: 'http://x/', method: 'PUT', body: { file: 'a.bin' } },
        { url: 'http://x/', method: 'PUT', body: { file: 'b.bin' } },
      ] } },
    }, join(dir, 'spec.json'));
    try {
      Object.assign(LIMITS, { specFileBytes: 1000, specFilesTotalBytes: 1500 });
      const err = await readSpecFiles(spec, join(dir, 'spec.json')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).problems.map((p) => `${p.where}: ${p.message}`)).toEqual([
        `${join(dir, 'spec.json')}: flows.default.steps[0].body.file: big.bin is 2.9 KiB, over the limit of 1000 B for one file (data/limits.json specFileBytes)`,
        `${join(dir, 'spec.json')}: its files are 1.8 KiB together, over the limit of 1.5 KiB (data/limits.json specFilesTotalBytes)`,
      ]);
    } finally {
      Object.assign(LIMITS, { specFileBytes: saved.one, specFilesTotalBytes: saved.all });
    }
    const ok = await readSpecFiles(spec, join(dir, 'spec.json'));
    expect(ok!.blobs['a.bin']!.length).toBe(900);
    expect(ok!.blobs['big.bin']!.buffer).toBeInstanceOf(SharedArrayBuffer);
  });
});
