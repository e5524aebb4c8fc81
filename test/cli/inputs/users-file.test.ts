import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../models/errors.ts';
import { InputError } from '../../../cli/errors.ts';
import { readUsersFile } from '../../../cli/inputs/users-file.ts';
import { removeDir, tempDir } from '../../helpers/cli.ts';

const dir = tempDir('caplab-users-file-');
afterAll(() => removeDir(dir));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('readUsersFile', () => {
  it('returns the users and the text ending with a newline, without a byte-order mark', async () => {
    const r = await readUsersFile(file('ok.ndjson', '\uFEFF{"id":"u1"}\n\n{"id":"u2"}'));
    expect(r.users).toEqual([{ id: 'u1' }, { id: 'u2' }]);
    expect(r.text).toBe('{"id":"u1"}\n\n{"id":"u2"}\n');
  });

  it('names every line that is not a JSON object', async () => {
    const path = file('bad.ndjson', '{"id":1}\n{nope\n[1]\n');
    const err = await readUsersFile(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).message).toBe(`users file ${path} is invalid: 2 problems`);
    expect((err as ValidationError).problems).toEqual([
      { where: `${path}:2`, message: 'not a JSON object' },
      { where: `${path}:3`, message: 'not a JSON object' },
    ]);
  });

  it('refuses a file without users, a missing file and a directory', async () => {
    const empty = file('empty.ndjson', '\n\n');
    await expect(readUsersFile(empty)).rejects.toThrow(new InputError(`users file ${empty} has no users`));
    const missing = join(dir, 'missing.ndjson');
    await expect(readUsersFile(missing)).rejects.toThrow(new InputError(`cannot read users file ${missing}: no such file`));
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    await expect(readUsersFile(sub)).rejects.toThrow(InputError);
  });
});
