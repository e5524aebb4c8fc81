import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Problem } from '../../../models/errors.ts';
import { loadUsers, usersOf } from '../../../cli/run/users.ts';
import { parseScenarioSpec } from '../../../scenarios/spec.ts';
import { removeDir, tempDir } from '../../helpers/cli.ts';

const dir = tempDir('caplab-run-users-');
afterAll(() => removeDir(dir));
const specPath = join(dir, 'spec.json');
const spec = (users: Record<string, unknown>) => parseScenarioSpec({
  schema: 'caplab.scenario/v1', name: 't', baseUrl: 'http://127.0.0.1:1', data: { users },
  options: { scenarios: { s: { executor: 'shared-iterations', vus: 1, iterations: 1 } } },
  flows: { default: { steps: [{ name: 'a', method: 'GET', path: '/' }] } },
}, specPath);

describe('users of a run', () => {
  it('the engine and k6 read the same users file (relative to the spec): source, data and text agree', async () => {
    writeFileSync(join(dir, 'u.ndjson'), '{"id":"a"}\n{"id":"b"}');
    const s = spec({ file: 'u.ndjson' });
    const engine = await loadUsers(s, specPath, 1);
    expect(engine?.source.count).toBe(2);
    expect(engine?.source.get(1)).toEqual({ id: 'b' });
    expect(engine?.data).toEqual({ kind: 'ndjson', text: '{"id":"a"}\n{"id":"b"}\n' });
    const problems: Problem[] = [];
    expect(await usersOf(s, specPath, {}, 1, problems)).toEqual({ file: 'u.ndjson', text: '{"id":"a"}\n{"id":"b"}\n' });
    expect(problems).toEqual([]);
  });

  it('k6 lists an unreadable or bad users file among its problems instead of throwing', async () => {
    writeFileSync(join(dir, 'bad.ndjson'), '{"id":"a"}\n[1]\n');
    const problems: Problem[] = [];
    expect(await usersOf(spec({ file: 'bad.ndjson' }), specPath, {}, 1, problems)).toBeUndefined();
    expect(await usersOf(spec({ file: 'u.ndjson' }), specPath, { users: join(dir, 'none.ndjson') }, 1, problems)).toBeUndefined();
    expect(problems).toEqual([
      { where: `${join(dir, 'bad.ndjson')}:2`, message: 'not a JSON object' },
      { where: '--users', message: `cannot read users file ${join(dir, 'none.ndjson')}: no such file` },
    ]);
  });
});
